import type { PredictionService } from "../predictions/prediction-service.ts";
import type { JobQueue } from "../queue/queue.ts";
import type { Store } from "../store/store.ts";
import { requeueOrFail } from "./recovery.ts";

/** A worker host silent this long is lost (it heartbeats every WORKER_HEARTBEAT_MS). */
export const WORKER_LOST_AFTER_MS = 10_000;
export const WORKER_HEARTBEAT_MS = 2_000;
/** A queued prediction no worker holds, older than this, is put in the shared queue again (it may have been lost with Redis or a replica). */
const UNCLAIMED_AFTER_MS = 30_000;

/**
 * Nothing accepted stays unfinished because a process died (scale-out, and `sprocket worker` hosts
 * of an embedded server). Each worker's predictions are in the database with its id; a worker that
 * stopped heartbeating is removed by exactly one sweeper (a conditional delete), which then ends
 * what it was running as failed, saying so, and queues again what it had not started. With a
 * shared queue, queued predictions no worker holds and no longer in the queue are put back too. Every API replica sweeps; it is cheap when all is well.
 */
export async function sweepLostWorkers(
  store: Store,
  predictions: PredictionService,
  options: { shared?: JobQueue; now?: number },
): Promise<{ failed: number; requeued: number }> {
  const now = options.now ?? Date.now();
  const cutoff = now - WORKER_LOST_AFTER_MS;
  let failed = 0;
  let requeued = 0;
  for (const worker of await store.listWorkers()) {
    if (worker.lastSeen >= cutoff || !(await store.removeLostWorker(worker.id, cutoff))) continue;
    const seconds = Math.round((now - worker.lastSeen) / 1000);
    for (const record of await store.predictionsOfWorker(worker.id)) {
      if (record.status === "processing") {
        await predictions.failRecovered(record, `Prediction interrupted: the worker running it (${worker.name}) stopped responding ${seconds} s ago; create it again.`);
        failed++;
      } else {
        await store.unassignPrediction(record.id);
        if (await requeueOrFail(store, predictions, { ...record, workerId: null })) requeued++;
      }
    }
  }
  if (options.shared) {
    // Cancel-After of predictions a host in another process runs (no replica holds them in memory).
    for (const record of await store.overduePredictions(new Date(now).toISOString(), 100)) await predictions.requestCancel(record.id, record.account, false);
    for (const record of await store.unassignedQueued(new Date(now - UNCLAIMED_AFTER_MS).toISOString(), 100)) {
      if (!(await options.shared.has(record.id))) await requeueOrFail(store, predictions, record);
    }
  }
  return { failed, requeued };
}

/** Sweeps every WORKER_HEARTBEAT_MS; returns a stop function. */
export function startLostWorkerSweep(store: Store, predictions: PredictionService, shared: JobQueue | undefined, log: (message: string) => void): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    sweepLostWorkers(store, predictions, { shared })
      .then(({ failed, requeued }) => {
        if (failed || requeued) log(`lost workers: ${failed} running prediction(s) failed, ${requeued} queued again`);
      })
      .catch((error: Error) => log(`lost-worker sweep failed: ${error.message}`))
      .finally(() => (busy = false));
  }, WORKER_HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

