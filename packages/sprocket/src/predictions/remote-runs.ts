import { AppError } from "../errors/index.ts";
import type { EventBus } from "../events/event-bus.ts";
import type { JobQueue, JobRun, Job } from "../queue/queue.ts";
import type { Store, WorkerRecord } from "../store/store.ts";
import { ALL_PREDICTIONS, type PredictionService } from "./prediction-service.ts";

/** What a worker host in another process reports about a prediction it runs, in order. */
export type RemoteUpdate =
  | { id: string; type: "started" }
  | { id: string; type: "log"; data: string }
  | { id: string; type: "output"; item: unknown }
  | { id: string; type: "metric"; name: string; value: number }
  | { id: string; type: "succeeded"; output: unknown }
  | { id: string; type: "failed"; error: string }
  | { id: string; type: "canceled" };

/** A job as a remote worker host gets it: with the input to run and the hardware its model runs on. */
export interface RemoteJob extends Job {
  run: JobRun;
  hardware: string;
}

export interface RemoteDeployment {
  name: string;
  version: string;
  hardware: string;
  min_instances: number;
  max_instances: number;
}

/** How long a cancel is remembered for the heartbeat of the worker running it. */
const CANCEL_MEMORY_MS = 60_000;

/**
 * The API side of `sprocket worker` hosts (api/routes/workers.ts): they claim jobs, heartbeat and
 * report progress through the API only, never reaching the database or Redis. A claim hands the
 * job to the worker in the database; updates are applied by whichever replica receives them, which
 * reads the prediction, applies them in order, and (unless it holds it anyway) writes its logs and
 * output back and lets go. Cancels reach a worker in its next heartbeat's answer: every replica
 * remembers the cancels it hears of on the event bus for a minute.
 */
export class RemoteRuns {
  private readonly cancels = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly jobs: JobQueue,
    private readonly events: EventBus,
    private readonly predictions: PredictionService,
    /** Output as stored (data: URIs become files). */
    private readonly persistOutput: (output: unknown) => unknown,
    /** Resolves once an output's files are where every replica serves them from. */
    private readonly outputStored: (output: unknown) => Promise<void>,
    private readonly hardwareOf: (versionId: string) => Promise<string>,
  ) {
    this.events.subscribe(ALL_PREDICTIONS, (event) => {
      if (event.type !== "cancel_requested") return;
      const now = Date.now();
      this.cancels.set(event.id, now);
      for (const [id, at] of this.cancels) if (now - at > CANCEL_MEMORY_MS) this.cancels.delete(id);
    });
  }

  /**
   * Records the heartbeat; answers with the predictions it runs that should stop, and every
   * deployment's current release (its pools follow them, as a `serve` process's do).
   */
  async heartbeat(worker: WorkerRecord): Promise<{ cancel: string[]; deployments: RemoteDeployment[] }> {
    await this.store.heartbeatWorker(worker);
    const deployments = (await this.store.allDeployments()).map((d) => ({
      name: `${d.owner}/${d.name}`,
      version: d.release.version,
      hardware: d.release.hardware,
      min_instances: d.release.minInstances,
      max_instances: d.release.maxInstances,
    }));
    return { cancel: worker.running.filter((id) => this.cancels.has(id)), deployments };
  }

  /** Up to `max` jobs for `workerId` (waiting up to `waitMs` for one), each handed to it in the database. */
  async claim(workerId: string, max: number, waitMs: number, hardware: readonly string[]): Promise<RemoteJob[]> {
    const claimed: RemoteJob[] = [];
    for (const job of await this.jobs.claim(max, waitMs, hardware)) {
      if (!(await this.predictions.assign(job, workerId))) continue;
      // Shared queues carry the run context in the job; embedded mode keeps it in memory.
      const context = job.run ?? this.predictions.runContext(job.predictionId);
      const record = context ? null : await this.store.getPrediction(job.predictionId);
      if (!context && !record) continue;
      const run = context ? { input: context.input, secretValues: context.secretValues, fileInputs: context.fileInputs } : { input: record!.input, secretValues: [], fileInputs: [] };
      claimed.push({ ...job, run, hardware: job.hardware ?? (await this.hardwareOf(job.versionId)) });
    }
    return claimed;
  }

  /** Applies a worker's updates in order; returns the predictions that ended meanwhile (the worker should stop them). */
  async apply(updates: RemoteUpdate[]): Promise<{ gone: string[] }> {
    const gone = new Set<string>();
    const heldHere = new Set<string>();
    for (const update of updates) {
      const { id } = update;
      if (gone.has(id)) continue;
      if (!this.predictions.holds(id)) {
        if (!(await this.predictions.hold(id))) {
          gone.add(id);
          continue;
        }
        heldHere.add(id);
      }
      try {
        await this.applyOne(update);
      } catch (error) {
        // The database is away: the whole batch is answered 503 and the worker sends it again.
        if (error instanceof AppError && error.code === "unavailable") throw error;
        // One bad update (an output that cannot be stored) fails its prediction, not the whole batch.
        await this.predictions.fail(id, `The worker's report could not be applied: ${(error as Error).message}`).catch(() => {});
        gone.add(id);
      }
    }
    // Still running elsewhere: what changed is written now, and this replica keeps nothing.
    for (const id of heldHere) await this.predictions.letGo(id);
    return { gone: [...gone] };
  }


  private async applyOne(update: RemoteUpdate): Promise<void> {
    const { id } = update;
    const p = this.predictions;
    switch (update.type) {
      case "started":
        await p.markStarted(id);
        break;
      case "log":
        p.appendLogs(id, update.data);
        break;
      case "output":
        p.appendOutput(id, this.persistOutput(update.item));
        break;
      case "metric":
        p.recordMetric(id, update.name, update.value);
        break;
      case "succeeded": {
        const output = this.persistOutput(update.output);
        await this.outputStored(output);
        await p.succeed(id, output);
        break;
      }
      case "failed":
        await p.fail(id, update.error);
        break;
      case "canceled":
        await p.markCanceled(id);
        break;
    }
  }
}
