/** One prediction waiting to run on an instance of its pool. */
export interface Job {
  predictionId: string;
  versionId: string;
  model: string;
  /** Which instance pool runs it (see poolKey). The queue keeps one FIFO per pool. */
  pool: string;
}

/**
 * The pool a job runs on: its version's shared pool (the key is the version id), or, for a
 * prediction made through a deployment, that deployment's own pool for that version. Keying by
 * version too means an update that changes the version gets a fresh pool while the old one
 * drains (rollover without failing what runs or waits there).
 */
export function poolKey(versionId: string, deployment: string | null): string {
  return deployment ? `${versionId} ${deployment}` : versionId;
}

/** The parts of a pool key: the version, and the deployment (`owner/name`) or null. */
export function parsePoolKey(pool: string): { versionId: string; deployment: string | null } {
  const space = pool.indexOf(" ");
  return space === -1 ? { versionId: pool, deployment: null } : { versionId: pool.slice(0, space), deployment: pool.slice(space + 1) };
}

export interface Queue {
  enqueue(job: Job): void;
  /** Takes the oldest job of this pool, if any. */
  take(pool: string): Job | undefined;
  /** Removes a job that has not been taken (a cancel before start). True if it was there. */
  remove(predictionId: string): boolean;
  depth(pool?: string): number;
  /** Pools that have jobs waiting. */
  pendingPools(): string[];
  /** Called synchronously after each enqueue with the job's pool. */
  onEnqueue(listener: (pool: string) => void): void;
}
