import type { PredictionService } from "../predictions/prediction-service.ts";
import { REDACTED, secretInputNames } from "../predictions/secrets.ts";
import type { PredictionRecord, Store } from "../store/store.ts";

/**
 * Run once at start, before the API accepts requests: nothing that got a 201 stays `starting` or
 * `processing` forever. Returns what it did, for the start-up log.
 */
export async function recoverPredictions(store: Store, predictions: PredictionService): Promise<{ requeued: number; interrupted: number }> {
  const interrupted = await store.predictionsWithStatus(["processing"]);
  for (const record of interrupted) await predictions.resolveInterrupted(record);
  const queued = await store.predictionsWithStatus(["starting"]);
  let requeued = 0;
  for (const record of queued) if (await requeueOrFail(store, predictions, record)) requeued++;
  return { requeued, interrupted: interrupted.length };
}

/**
 * Queues a prediction that never started again; one with Secret inputs cannot run any more (their
 * values are never stored), so it fails saying so. True if it was queued.
 */
export async function requeueOrFail(store: Store, predictions: PredictionService, record: PredictionRecord): Promise<boolean> {
  const [owner, name] = record.model.split("/");
  const version = await store.getVersion(owner, name, record.version);
  const lostSecrets = version ? secretInputNames(version.openapiSchema).filter((input) => record.input[input] === REDACTED) : [];
  if (lostSecrets.length > 0) {
    await predictions.failRecovered(
      record,
      `Sprocket restarted before this prediction ran, and its Secret inputs (${lostSecrets.join(", ")}) are never stored; create it again.`,
    );
    return false;
  }
  await predictions.requeue(record, version);
  return true;
}
