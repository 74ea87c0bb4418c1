import type { PredictionService } from "../predictions/prediction-service.ts";
import type { Job, JobQueue, Queue } from "../queue/queue.ts";

/**
 * Where a worker host gets its jobs in scale-out: the shared queue itself (a `sprocket serve`
 * process with a worker), or the API (a `sprocket worker` host). A job it returns is this host's:
 * the database says so (store `assignPrediction`).
 */
export interface JobSource {
  /** Up to `max` jobs, waiting up to `waitMs` for one when none waits. */
  claim(max: number, waitMs: number): Promise<Job[]>;
}

/** Claims from the shared queue for a worker in this process: assigned to it, and held in memory here. */
export class SharedQueueSource implements JobSource {
  constructor(
    private readonly queue: JobQueue,
    private readonly predictions: Pick<PredictionService, "assign" | "hold">,
    private readonly workerId: string,
    /** The hardware SKUs this host has. */
    private readonly hardware: readonly string[],
  ) {}

  async claim(max: number, waitMs: number): Promise<Job[]> {
    const claimed = await this.queue.claim(max, waitMs, this.hardware);
    // Another worker got it first (a sweep put it back twice), or it was canceled meanwhile: not ours.
    const ours = await Promise.all(claimed.map(async (job) => (await this.predictions.assign(job, this.workerId)) && (await this.predictions.hold(job.predictionId, job.run))));
    return claimed.filter((_, i) => ours[i]);
  }
}

/** How many claimed jobs may wait on this host beyond those running: enough to keep instances busy, few enough that idle hosts get the rest. */
const PREFETCH = 2;

/**
 * Moves jobs from a shared source into this host's own queue, which the Worker dispatches from
 * exactly as in embedded mode (per-account turns, warm instances, caps). It claims only while
 * fewer than PREFETCH jobs wait here, so work spreads over hosts instead of piling up on one.
 */
export class JobFeeder {
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly source: JobSource,
    private readonly local: Queue,
    private readonly log: (message: string) => void,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    let failing = false;
    while (!this.stopped) {
      const room = PREFETCH - this.local.depth();
      if (room <= 0) {
        await sleep(10);
        continue;
      }
      try {
        // Short waits, so a stop is noticed soon.
        for (const job of await this.source.claim(room, 1000)) this.local.enqueue(job);
        if (failing) this.log("worker: taking jobs again");
        failing = false;
      } catch (error) {
        if (!failing) this.log(`worker: could not take jobs (${(error as Error).message}); retrying every second`);
        failing = true;
        await sleep(1000);
      }
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
