/** One prediction waiting to run on an instance of its pool. */
export interface Job {
  predictionId: string;
  versionId: string;
  model: string;
  /** Which instance pool runs it (see poolKey). */
  pool: string;
  /** Whose prediction it is: a pool's jobs are served round-robin across accounts. */
  account: string;
  /** The hardware SKU it runs on (scale-out: only worker hosts with it claim the job); absent: any. */
  hardware?: string;
  /**
   * What its run needs that the database does not keep (Secret values are never stored), for a
   * worker in another process; absent when the stored input is all it needs.
   */
  run?: JobRun;
}

export interface JobRun {
  input: Record<string, unknown>;
  secretValues: string[];
  fileInputs: string[];
}

/** Where a waiting job stands: 1 is the next its pool takes. */
export interface QueuePlace {
  pool: string;
  position: number;
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

/**
 * The "deployment" part of a version's training pool: trainings run the version's train() in
 * instances of their own (never shared with predictions), one at a time per version. No real
 * deployment name can be it (those are owner/name).
 */
export const TRAINING_POOL = "@train";

/** The parts of a pool key: the version, and the deployment (`owner/name`) or null. */
export function parsePoolKey(pool: string): { versionId: string; deployment: string | null } {
  const space = pool.indexOf(" ");
  return space === -1 ? { versionId: pool, deployment: null } : { versionId: pool.slice(0, space), deployment: pool.slice(space + 1) };
}

export interface Queue {
  enqueue(job: Job): void;
  /**
   * Takes this pool's next job, if any: accounts take turns (one job each, round-robin), and each
   * account's jobs come out oldest first.
   */
  take(pool: string): Job | undefined;
  /** Removes a job that has not been taken (a cancel before start). True if it was there. */
  remove(predictionId: string): boolean;
  depth(pool?: string): number;
  /** Where a job not yet taken stands in its pool's order (undefined once taken or removed). */
  place(predictionId: string): QueuePlace | undefined;
  /** Pools that have jobs waiting. */
  pendingPools(): string[];
  /** The predictions whose jobs wait here. */
  waitingIds(): string[];
  /** Called synchronously after each enqueue with the job. */
  onEnqueue(listener: (job: Job) => void): void;
}

/**
 * The queue predictions are created into and worker hosts claim from: in embedded mode the
 * LocalQueue itself (its in-process worker takes from it directly, see Queue), in scale-out
 * RedisQueue (BullMQ on SPROCKET_REDIS_URL). Asynchronous, since it may be across a network.
 */
export interface JobQueue {
  add(job: Job): Promise<void>;
  /**
   * Takes up to `max` waiting jobs, oldest first, of the hardware listed (a job for other hardware
   * stays for a host that has it; jobs without hardware suit every host); when none waits, waits
   * up to `waitMs` for one.
   */
  claim(max: number, waitMs: number, hardware?: readonly string[]): Promise<Job[]>;
  /** Removes a job no one has claimed (a cancel before it started). True if it was there. */
  cancel(predictionId: string): Promise<boolean>;
  /** How many jobs wait. */
  waiting(): Promise<number>;
  /** Whether this prediction's job is in the queue (waiting, or being claimed right now). */
  has(predictionId: string): Promise<boolean>;
  close(): Promise<void>;
}
