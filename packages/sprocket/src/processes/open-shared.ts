import { hostname } from "node:os";
import { Redis } from "ioredis";
import { randomBytes } from "node:crypto";
import type { Config } from "../config/index.ts";
import { AppError } from "../errors/index.ts";
import type { EventBus } from "../events/event-bus.ts";
import { ALL_PREDICTIONS } from "../predictions/prediction-service.ts";
import { LocalEventBus } from "../events/local-event-bus.ts";
import { RedisEventBus } from "../events/redis-event-bus.ts";
import { LocalQueue } from "../queue/local-queue.ts";
import type { JobQueue } from "../queue/queue.ts";
import { DEFAULT_QUEUE_NAME, RedisQueue } from "../queue/redis-queue.ts";
import { redactUrl } from "../store/postgres-connection.ts";

export interface QueueAndEvents {
  /** Where predictions are queued and worker hosts claim from. */
  jobs: JobQueue;
  /** The queue this process's worker dispatches from: the same LocalQueue in embedded mode, its own in scale-out (fed by a JobFeeder). */
  local: LocalQueue;
  events: EventBus;
  /** Scale-out: the queue and events are shared with other processes through Redis. */
  shared: boolean;
  close(): Promise<void>;
}

/**
 * The queue and event bus a process runs on: Redis (BullMQ and pub/sub) when SPROCKET_REDIS_URL
 * is set, connected here so that an unreachable Redis stops the start with one line naming it;
 * else the in-process ones.
 */
export async function openQueueAndEvents(config: Pick<Config, "redisUrl" | "redisPrefix">, log: (message: string) => void): Promise<QueueAndEvents> {
  if (!config.redisUrl) {
    const queue = new LocalQueue();
    const events = new LocalEventBus();
    return { jobs: queue, local: queue, events, shared: false, close: async () => void (await Promise.all([queue.close(), events.close()])) };
  }
  // One probe first: BullMQ's connections retry for ever, so an absent Redis must be found before they exist.
  const unreachable = (error: unknown) => new AppError("unavailable", `cannot reach Redis at ${redactUrl(config.redisUrl!)} (SPROCKET_REDIS_URL): ${(error as Error).message}`);
  const probe = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  let cause: Error | undefined;
  probe.on("error", (error: Error) => (cause ??= error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw unreachable(cause ?? error);
  } finally {
    probe.disconnect();
  }
  const jobs = new RedisQueue(config.redisUrl, DEFAULT_QUEUE_NAME, config.redisPrefix);
  // Status snapshots on the all-predictions channel stay in their process: its listeners elsewhere
  // want only cancels (worker hosts), and /metrics counts what each process applied, so summing
  // the replicas' counters gives the cluster's. A prediction's own channel carries everything.
  const events = new RedisEventBus(config.redisUrl, `${config.redisPrefix}:events:`, log, (channel, event) => channel === ALL_PREDICTIONS && event.type === "status");
  try {
    await Promise.all([jobs.open(), events.open()]);
  } catch (error) {
    void Promise.allSettled([jobs.close(), events.close()]);
    throw unreachable(error);
  }
  return { jobs, local: new LocalQueue(), events, shared: true, close: async () => void (await Promise.allSettled([jobs.close(), events.close()])) };
}

/** A worker host's id: readable in logs and lists, unique per process start. */
export function newWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}
