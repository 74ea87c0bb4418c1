import { Worker } from "node:worker_threads";

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Keeps the WAL short from a worker thread (see checkpoint-worker.mjs). The main connection keeps
 * a high automatic-checkpoint threshold as a bound for sustained write load, when a passive
 * checkpoint can never catch up.
 */
export function startCheckpointer(path: string, intervalMs: number, onError: (message: string) => void): Checkpointer {
  // Always the source file: it is plain JavaScript, and tsc does not copy it into dist/.
  const worker = new Worker(new URL("../../src/store/checkpoint-worker.mjs", import.meta.url), {
    workerData: { path, intervalMs },
    // It allocates next to nothing; small heap limits keep the thread's memory small too.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
  });
  worker.unref();
  worker.on("message", (message: { error?: string }) => message.error && onError(`WAL checkpoint failed: ${message.error}`));
  worker.on("error", (error) => onError(`WAL checkpoint thread stopped: ${error.message}`));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        worker.once("message", () => void worker.terminate().then(() => resolve()));
        worker.once("exit", () => resolve());
        worker.postMessage("stop");
      }),
  };
}
