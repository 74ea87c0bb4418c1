import { Sleepers } from "../lib/sleepers.ts";
import type { Job, JobQueue, Queue, QueuePlace } from "./queue.ts";

/** One pool's waiting jobs: a FIFO per account, served in turns. */
interface PoolQueue {
  byAccount: Map<string, Job[]>;
  /** Accounts with jobs waiting, the one served next first; served accounts go to the back. */
  turns: string[];
  size: number;
}

/**
 * In-process queue: per pool, round-robin across accounts, each account's jobs oldest first, so
 * one account's burst cannot starve another's prediction (see docs/architecture/03-runners.md).
 * Durable through the store's rows (see README).
 */
export class LocalQueue implements Queue, JobQueue {
  private readonly pools = new Map<string, PoolQueue>();
  private readonly jobs = new Map<string, Job>();
  private readonly listeners: ((job: Job) => void)[] = [];
  /** Claims waiting for work (from other processes, see claim). */
  private readonly sleepers = new Sleepers();

  enqueue(job: Job): void {
    let pool = this.pools.get(job.pool);
    if (!pool) {
      pool = { byAccount: new Map(), turns: [], size: 0 };
      this.pools.set(job.pool, pool);
    }
    let list = pool.byAccount.get(job.account);
    if (!list) {
      list = [];
      pool.byAccount.set(job.account, list);
      pool.turns.push(job.account);
    }
    list.push(job);
    pool.size++;
    this.jobs.set(job.predictionId, job);
    for (const listener of this.listeners) listener(job);
    // Claimers in other processes wait for work only when the in-process worker left some.
    if (this.jobs.has(job.predictionId)) this.sleepers.wakeAll();
  }

  take(key: string): Job | undefined {
    const pool = this.pools.get(key);
    if (!pool) return undefined;
    const account = pool.turns.shift()!;
    const list = pool.byAccount.get(account)!;
    const job = list.shift()!;
    if (list.length > 0) pool.turns.push(account);
    else pool.byAccount.delete(account);
    this.forget(pool, key, job);
    return job;
  }

  remove(predictionId: string): boolean {
    const job = this.jobs.get(predictionId);
    if (!job) return false;
    const pool = this.pools.get(job.pool)!;
    const list = pool.byAccount.get(job.account)!;
    list.splice(list.indexOf(job), 1);
    if (list.length === 0) {
      pool.byAccount.delete(job.account);
      pool.turns.splice(pool.turns.indexOf(job.account), 1);
    }
    this.forget(pool, job.pool, job);
    return true;
  }

  /**
   * The job's place in its pool's order: the jobs ahead of the k-th (0-based) of an account are
   * k of its own, plus from each other account up to k (those served after it in a round) or
   * k + 1 (those served before it).
   */
  place(predictionId: string): QueuePlace | undefined {
    const job = this.jobs.get(predictionId);
    if (!job) return undefined;
    const pool = this.pools.get(job.pool)!;
    const k = pool.byAccount.get(job.account)!.indexOf(job);
    const turn = pool.turns.indexOf(job.account);
    let ahead = k;
    pool.turns.forEach((account, index) => {
      if (index !== turn) ahead += Math.min(pool.byAccount.get(account)!.length, index < turn ? k + 1 : k);
    });
    return { pool: job.pool, position: ahead + 1 };
  }

  depth(pool?: string): number {
    return pool === undefined ? this.jobs.size : (this.pools.get(pool)?.size ?? 0);
  }

  pendingPools(): string[] {
    return [...this.pools.keys()];
  }

  waitingIds(): string[] {
    return [...this.jobs.keys()];
  }

  onEnqueue(listener: (job: Job) => void): void {
    this.listeners.push(listener);
  }

  private forget(pool: PoolQueue, key: string, job: Job): void {
    this.jobs.delete(job.predictionId);
    if (--pool.size === 0) this.pools.delete(key);
  }

  // JobQueue: how predictions enter it, and how worker hosts in other processes claim from it.

  async add(job: Job): Promise<void> {
    this.enqueue(job);
  }

  async claim(max: number, waitMs: number, hardware?: readonly string[]): Promise<Job[]> {
    // A pool's jobs share their hardware (a version's model's, or a deployment's).
    const suits = (pool: string) => {
      const sku = this.pools.get(pool)?.byAccount.values().next().value?.[0]?.hardware;
      return !hardware || sku === undefined || hardware.includes(sku);
    };
    let pools = this.pendingPools().filter(suits);
    if (pools.length === 0 && waitMs > 0) {
      await this.sleepers.sleep(waitMs);
      pools = this.pendingPools().filter(suits);
    }
    const taken: Job[] = [];
    // Pools take turns too, so one busy model does not hold up the others' claims.
    while (taken.length < max && pools.length > 0) {
      for (const pool of pools) {
        if (taken.length === max) break;
        const job = this.take(pool);
        if (job) taken.push(job);
      }
      pools = pools.filter((pool) => this.pools.has(pool));
    }
    return taken;
  }

  async cancel(predictionId: string): Promise<boolean> {
    return this.remove(predictionId);
  }

  async waiting(): Promise<number> {
    return this.jobs.size;
  }

  async has(predictionId: string): Promise<boolean> {
    return this.jobs.has(predictionId);
  }

  async close(): Promise<void> {
    this.sleepers.wakeAll();
  }
}
