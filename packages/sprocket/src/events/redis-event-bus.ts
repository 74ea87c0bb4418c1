import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { EventBus, PredictionEvent, Unsubscribe } from "./event-bus.ts";
import { LocalEventBus } from "./local-event-bus.ts";

/** Redis channel names are `<prefix><channel>`; a prefix keeps several installations (or tests) on one Redis apart. */
const DEFAULT_PREFIX = "sprocket:events:";

/**
 * Events across processes (scale-out, SPROCKET_REDIS_URL) on Redis pub/sub, so an SSE stream or a
 * `Prefer: wait` request is answered whichever API replica the client reached. This process's
 * listeners get its own events at once (as in embedded mode, through a LocalEventBus); each message
 * also carries this process's id, so it ignores its own copy coming back from Redis. One publishing
 * connection keeps each process's events in order; pub/sub keeps nothing, which suits events: the
 * state itself is in the database, and readers re-read it after subscribing (see `ready`).
 */
export class RedisEventBus implements EventBus {
  private readonly local = new LocalEventBus();
  private readonly origin = randomUUID();
  private readonly pub: Redis;
  private readonly sub: Redis;
  /** Listeners per channel, to (un)subscribe on Redis on the first and after the last. */
  private readonly counts = new Map<string, number>();
  private pending = new Set<Promise<unknown>>();

  /**
   * `localOnly`: events that stay in the process that published them (the composition root says
   * which: every process's firehose of status snapshots, which other processes need not parse).
   */
  constructor(
    url: string,
    private readonly prefix = DEFAULT_PREFIX,
    private readonly log: (message: string) => void = () => {},
    private readonly localOnly: (channel: string, event: PredictionEvent) => boolean = () => false,
  ) {
    // Commands issued while Redis is away wait in ioredis's offline queue and go out when it is back.
    this.pub = new Redis(url, { lazyConnect: true });
    this.sub = new Redis(url, { lazyConnect: true });
    this.sub.on("message", (channel: string, message: string) => this.received(channel, message));
    for (const connection of [this.pub, this.sub]) connection.on("error", () => {});
  }

  /** Connects both connections; rejects (naming the address, never a password) if Redis is not there. */
  async open(timeoutMs = 3000): Promise<void> {
    await Promise.all([connectWithin(this.pub, timeoutMs), connectWithin(this.sub, timeoutMs)]);
  }

  publish(channel: string, event: PredictionEvent): void {
    this.local.publish(channel, event);
    if (this.localOnly(channel, event)) return;
    this.pub.publish(this.prefix + channel, JSON.stringify({ o: this.origin, e: event })).catch((error: Error) => this.log(`events: could not publish to Redis: ${error.message}`));
  }

  subscribe(channel: string, listener: (event: PredictionEvent) => void): Unsubscribe {
    const off = this.local.subscribe(channel, listener);
    const count = (this.counts.get(channel) ?? 0) + 1;
    this.counts.set(channel, count);
    if (count === 1) this.track(this.sub.subscribe(this.prefix + channel));
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      const left = (this.counts.get(channel) ?? 1) - 1;
      if (left > 0) return void this.counts.set(channel, left);
      this.counts.delete(channel);
      this.track(this.sub.unsubscribe(this.prefix + channel));
    };
  }

  async ready(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.local.close();
    this.sub.disconnect();
    await this.pub.quit().catch(() => this.pub.disconnect());
  }

  private received(channel: string, message: string): void {
    if (!channel.startsWith(this.prefix)) return;
    let parsed: { o: string; e: PredictionEvent };
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (parsed.o !== this.origin) this.local.publish(channel.slice(this.prefix.length), parsed.e);
  }

  private track(promise: Promise<unknown>): void {
    const settled = promise.catch((error: Error) => this.log(`events: Redis (un)subscribe failed: ${error.message}`)).finally(() => this.pending.delete(settled));
    this.pending.add(settled);
  }
}

/** ioredis's connect(), failing after `timeoutMs` instead of retrying for ever (the caller names the address). */
export async function connectWithin(connection: Redis, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.connect(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
  } catch (error) {
    connection.disconnect();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
