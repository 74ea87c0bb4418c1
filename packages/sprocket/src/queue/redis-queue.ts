import { randomUUID } from "node:crypto";
import { Queue as BullQueue, QueueEvents, Worker as BullWorker, type ConnectionOptions } from "bullmq";
import type { Job, JobQueue } from "./queue.ts";

/** The BullMQ queue every API replica adds to and every worker host claims from (KEDA scales on its length, see deploy/). */
export const DEFAULT_QUEUE_NAME = "sprocket-jobs";

/**
 * The scale-out queue (SPROCKET_REDIS_URL): BullMQ on Redis, not a queue of our own. A job's id is
 * its prediction's, so adding one twice (a sweep putting back what may still be there) is a no-op.
 * A claim takes jobs with BullMQ's manual `getNextJob` and completes them at once: from then on the
 * database row says which worker holds the prediction (store `assignPrediction`), and the lost-worker
 * sweep, not BullMQ, decides what happens if that worker dies. A replica dying between the two steps
 * leaves the job locked; BullMQ's stalled-job check puts it back after the lock runs out.
 * Order is first-in first-out over all models; the per-account turns of embedded mode apply within
 * each worker host's own queue (worker/job-feeder.ts).
 */
export class RedisQueue implements JobQueue {
  private readonly queue: BullQueue;
  private readonly taker: BullWorker;
  private readonly events: QueueEvents;
  private readonly sleepers = new Set<() => void>();

  constructor(url: string, name = DEFAULT_QUEUE_NAME) {
    const connection = connectionOf(url);
    this.queue = new BullQueue(name, { connection });
    // A worker with no processor: jobs are taken only when claim() asks (BullMQ's manual mode).
    this.taker = new BullWorker(name, null, { connection, autorun: false, lockDuration: 15_000, stalledInterval: 5_000 });
    this.events = new QueueEvents(name, { connection });
    this.events.on("waiting", () => {
      for (const wake of [...this.sleepers]) wake();
    });
    this.queue.on("error", () => {});
    this.taker.on("error", () => {});
    this.events.on("error", () => {});
  }

  /** Waits until Redis answers; rejects (naming no password) after `timeoutMs`. */
  async open(timeoutMs = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all([this.queue.waitUntilReady(), this.taker.waitUntilReady(), this.events.waitUntilReady()]),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
    void this.taker.startStalledCheckTimer().catch(() => {});
  }

  async add(job: Job): Promise<void> {
    await this.queue.add("predict", job, { jobId: job.predictionId, removeOnComplete: true, removeOnFail: true });
  }

  async claim(max: number, waitMs: number): Promise<Job[]> {
    let taken = await this.takeUpTo(max);
    if (taken.length === 0 && waitMs > 0) {
      await this.nextAdded(waitMs);
      taken = await this.takeUpTo(max);
    }
    return taken;
  }

  async cancel(predictionId: string): Promise<boolean> {
    const job = await this.queue.getJob(predictionId);
    if (!job || !["waiting", "prioritized", "delayed"].includes(await job.getState())) return false;
    // A claim may take it in between: then remove fails on its lock, and the worker is told instead.
    return job.remove().then(
      () => true,
      () => false,
    );
  }

  async waiting(): Promise<number> {
    return this.queue.getWaitingCount();
  }

  async close(): Promise<void> {
    for (const wake of [...this.sleepers]) wake();
    await Promise.allSettled([this.taker.close(), this.events.close(), this.queue.close()]);
  }

  /** Removes every job and key of this queue (tests, and `sprocket` never does it by itself). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  private async takeUpTo(max: number): Promise<Job[]> {
    const taken: Job[] = [];
    while (taken.length < max) {
      const token = randomUUID();
      const job = await this.taker.getNextJob(token, { block: false });
      if (!job) break;
      await job.moveToCompleted(null, token, false);
      taken.push(job.data as Job);
    }
    return taken;
  }

  /** Resolves when a job is added (any replica) or after `ms`. */
  private nextAdded(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

function connectionOf(url: string): ConnectionOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined,
    tls: parsed.protocol === "rediss:" ? {} : undefined,
    // BullMQ's blocking reads must not give up while Redis is briefly away.
    maxRetriesPerRequest: null,
  };
}
