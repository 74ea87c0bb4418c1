import type { PredictionService } from "../predictions/prediction-service.ts";
import type { Store } from "../store/store.ts";

/**
 * Run once at start, before the API accepts requests: nothing that got a 201 stays `starting` or
 * `processing` forever. Returns what it did, for the start-up log.
 */
export async function recoverPredictions(store: Store, predictions: PredictionService): Promise<{ requeued: number; interrupted: number }> {
  const interrupted = await store.predictionsWithStatus(["processing"]);
  for (const record of interrupted) await predictions.resolveInterrupted(record);
  const queued = await store.predictionsWithStatus(["starting"]);
  for (const record of queued) predictions.requeue(record);
  return { requeued: queued.length, interrupted: interrupted.length };
}
