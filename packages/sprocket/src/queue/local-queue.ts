import type { Job, Queue } from "./queue.ts";

/** In-process FIFO per pool. Durable through the store's rows (see README). */
export class LocalQueue implements Queue {
  private readonly lists = new Map<string, Job[]>();
  private readonly listeners: ((pool: string) => void)[] = [];
  private total = 0;

  enqueue(job: Job): void {
    let list = this.lists.get(job.pool);
    if (!list) {
      list = [];
      this.lists.set(job.pool, list);
    }
    list.push(job);
    this.total++;
    for (const listener of this.listeners) listener(job.pool);
  }

  take(pool: string): Job | undefined {
    const list = this.lists.get(pool);
    const job = list?.shift();
    if (job) this.total--;
    if (list && list.length === 0) this.lists.delete(pool);
    return job;
  }

  remove(predictionId: string): boolean {
    for (const [pool, list] of this.lists) {
      const index = list.findIndex((job) => job.predictionId === predictionId);
      if (index !== -1) {
        list.splice(index, 1);
        this.total--;
        if (list.length === 0) this.lists.delete(pool);
        return true;
      }
    }
    return false;
  }

  depth(pool?: string): number {
    return pool === undefined ? this.total : (this.lists.get(pool)?.length ?? 0);
  }

  pendingPools(): string[] {
    return [...this.lists.keys()];
  }

  onEnqueue(listener: (pool: string) => void): void {
    this.listeners.push(listener);
  }
}
