/** One prediction waiting to run on an instance of its version. */
export interface Job {
  predictionId: string;
  /** Identifies the pool: the version id plus the model it was pushed to. */
  versionId: string;
  model: string;
}

export interface Queue {
  enqueue(job: Job): void;
  /** Takes the oldest job for this version, if any. */
  take(versionId: string): Job | undefined;
  /** Removes a job that has not been taken (a cancel before start). True if it was there. */
  remove(predictionId: string): boolean;
  depth(versionId?: string): number;
  /** Versions that have jobs waiting. */
  pendingVersions(): string[];
  /** Called synchronously after each enqueue with the job's version id. */
  onEnqueue(listener: (versionId: string) => void): void;
}
