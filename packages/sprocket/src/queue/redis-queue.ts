import { randomUUID } from "node:crypto";
import { Queue as BullQueue, QueueEvents, Worker as BullWorker, type ConnectionOptions } from "bullmq";
import { Redis } from "ioredis";
import { Sleepers } from "../lib/sleepers.ts";
import type { Job, JobQueue } from "./queue.ts";

/** The BullMQ queue of CPU jobs (and jobs of no particular hardware); each GPU SKU has `<this>-<sku>`. */
export const DEFAULT_QUEUE_NAME = "sprocket-jobs";

/** One BullMQ queue: where jobs are added, the manual worker that takes them, and its added-job events. */
interface Lane {
  queue: BullQueue;
  taker: BullWorker;
  events: QueueEvents;
  ready: Promise<unknown>;
}

/**
 * The scale-out queue (SPROCKET_REDIS_URL): BullMQ on Redis, not a queue of our own. One BullMQ
 * queue per hardware SKU (`sprocket-jobs` for the CPU, `sprocket-jobs-<sku>` for each GPU kind), so
 * a worker host claims only what it can run and KEDA can scale GPU hosts on their own list. A
 * job's id is its prediction's, so adding one twice (a sweep putting back what may still be
 * there) is a no-op. A claim takes jobs with BullMQ's manual `getNextJob` and completes them at
 * once: from then on the database row says which worker holds the prediction (store
 * `assignPrediction`), and the lost-worker sweep, not BullMQ, decides what happens if that worker
 * dies. A replica dying between the two steps leaves the job locked; BullMQ's stalled-job check
 * puts it back after the lock runs out. Order is first-in first-out per SKU; the per-account turns
 * of embedded mode apply within each worker host's own queue (worker/job-feeder.ts).
 */
export class RedisQueue implements JobQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Claims waiting for work, woken when a job is added to a lane this process listens to. */
  private readonly sleepers = new Sleepers();
  private readonly connection: ConnectionOptions;
  /** For the set of SKUs ever queued (`<prefix>:<name>:skus`), so a cancel finds a job whatever its lane. */
  private readonly meta: Redis;

  /** `prefix`: BullMQ's key prefix (its default is "bull"), so installations can share a Redis. */
  constructor(
    url: string,
    private readonly name = DEFAULT_QUEUE_NAME,
    private readonly prefix = "bull",
  ) {
    this.connection = connectionOf(url);
    this.meta = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null });
    this.meta.on("error", () => {});
  }

  /** Waits until Redis answers; rejects (naming no password) after `timeoutMs`. */
  async open(timeoutMs = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all([this.lane("cpu").ready, this.meta.connect()]),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async add(job: Job): Promise<void> {
    const sku = job.hardware ?? "cpu";
    if (sku !== "cpu") await this.meta.sadd(this.skusKey, sku);
    await this.lane(sku).queue.add("predict", job, { jobId: job.predictionId, removeOnComplete: true, removeOnFail: true });
  }

  async claim(max: number, waitMs: number, hardware: readonly string[] = ["cpu"]): Promise<Job[]> {
    let taken = await this.takeUpTo(max, hardware);
    if (taken.length === 0 && waitMs > 0) {
      await this.sleepers.sleep(waitMs);
      taken = await this.takeUpTo(max, hardware);
    }
    return taken;
  }

  async cancel(predictionId: string): Promise<boolean> {
    for (const sku of await this.skus()) {
      const job = await this.lane(sku).queue.getJob(predictionId);
      if (!job) continue;
      if (!["waiting", "prioritized", "delayed"].includes(await job.getState())) return false;
      // A claim may take it in between: then remove fails on its lock, and the worker is told instead.
      return job.remove().then(
        () => true,
        () => false,
      );
    }
    return false;
  }

  async waiting(): Promise<number> {
    let total = 0;
    for (const sku of await this.skus()) total += await this.lane(sku).queue.getWaitingCount();
    return total;
  }

  async has(predictionId: string): Promise<boolean> {
    for (const sku of await this.skus()) if (await this.lane(sku).queue.getJob(predictionId)) return true;
    return false;
  }

  async close(): Promise<void> {
    this.sleepers.wakeAll();
    await Promise.allSettled([...this.lanes.values()].flatMap((lane) => [lane.taker.close(), lane.events.close(), lane.queue.close()]));
    this.meta.disconnect();
  }

  /** Removes every job and key of this queue (tests; `sprocket` never does it by itself). */
  async obliterate(): Promise<void> {
    for (const sku of await this.skus()) await this.lane(sku).queue.obliterate({ force: true });
    await this.meta.del(this.skusKey);
  }

  private get skusKey(): string {
    return `${this.prefix}:${this.name}:skus`;
  }

  private async skus(): Promise<string[]> {
    return ["cpu", ...(await this.meta.smembers(this.skusKey))];
  }

  private lane(sku: string): Lane {
    let lane = this.lanes.get(sku);
    if (!lane) {
      const name = sku === "cpu" ? this.name : `${this.name}-${sku}`;
      const options = { connection: this.connection, prefix: this.prefix };
      const queue = new BullQueue(name, options);
      // A worker with no processor: jobs are taken only when claim() asks (BullMQ's manual mode).
      const taker = new BullWorker(name, null, { ...options, autorun: false, lockDuration: 15_000, stalledInterval: 5_000 });
      const events = new QueueEvents(name, options);
      events.on("waiting", () => this.sleepers.wakeAll());
      queue.on("error", () => {});
      taker.on("error", () => {});
      events.on("error", () => {});
      const ready = Promise.all([queue.waitUntilReady(), taker.waitUntilReady(), events.waitUntilReady()]).then(() => taker.startStalledCheckTimer().catch(() => {}));
      ready.catch(() => {});
      lane = { queue, taker, events, ready };
      this.lanes.set(sku, lane);
    }
    return lane;
  }

  private async takeUpTo(max: number, hardware: readonly string[]): Promise<Job[]> {
    const taken: Job[] = [];
    for (const sku of hardware) {
      if (taken.length >= max) break;
      const lane = this.lane(sku);
      await lane.ready;
      // The rest of `max` at once (pipelined on one connection, each atomic in Redis), then their
      // completions: two round trips a batch.
      const tokens = Array.from({ length: max - taken.length }, () => randomUUID());
      const jobs = await Promise.all(tokens.map((token) => lane.taker.getNextJob(token, { block: false })));
      const got = jobs.flatMap((job, i) => (job ? [{ job, token: tokens[i] }] : []));
      await Promise.all(got.map(({ job, token }) => job.moveToCompleted(null, token, false)));
      taken.push(...got.map(({ job }) => job.data as Job));
    }
    return taken;
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
