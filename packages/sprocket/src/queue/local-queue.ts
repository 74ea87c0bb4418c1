import type { Job, Queue } from "./queue.ts";

/** In-process FIFO per version. Durable through the store's rows (see README). */
export class LocalQueue implements Queue {
  private readonly lists = new Map<string, Job[]>();
  private readonly listeners: ((versionId: string) => void)[] = [];
  private total = 0;

  enqueue(job: Job): void {
    let list = this.lists.get(job.versionId);
    if (!list) {
      list = [];
      this.lists.set(job.versionId, list);
    }
    list.push(job);
    this.total++;
    for (const listener of this.listeners) listener(job.versionId);
  }

  take(versionId: string): Job | undefined {
    const list = this.lists.get(versionId);
    const job = list?.shift();
    if (job) this.total--;
    if (list && list.length === 0) this.lists.delete(versionId);
    return job;
  }

  remove(predictionId: string): boolean {
    for (const [versionId, list] of this.lists) {
      const index = list.findIndex((job) => job.predictionId === predictionId);
      if (index !== -1) {
        list.splice(index, 1);
        this.total--;
        if (list.length === 0) this.lists.delete(versionId);
        return true;
      }
    }
    return false;
  }

  depth(versionId?: string): number {
    return versionId === undefined ? this.total : (this.lists.get(versionId)?.length ?? 0);
  }

  pendingVersions(): string[] {
    return [...this.lists.keys()];
  }

  onEnqueue(listener: (versionId: string) => void): void {
    this.listeners.push(listener);
  }
}
