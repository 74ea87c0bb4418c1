// What PredictionService is given and calls out to: a create request, a run's context, the webhook
// hook (webhooks/) and the hook that turns a succeeded training into a version (models/training-results.ts).
import { TRAINING_POOL, poolKey, type Job, type JobRun } from "../queue/queue.ts";
import type { PredictionRecord, VersionRecord, WebhookDeliveryRecord } from "../store/store.ts";

export interface CreatePrediction {
  account: string;
  version: VersionRecord;
  input: Record<string, unknown>;
  webhook?: string | null;
  webhookEventsFilter?: string[] | null;
  /** Seconds from creation after which the prediction is canceled (Cancel-After / lifetime). */
  lifetimeSeconds?: number | null;
  /** Seconds after it finishes that its data is kept (data retention); null: kept. */
  retentionSeconds?: number | null;
  /** `owner/name` of the deployment it is made through: it runs on that deployment's pool. */
  deployment?: string;
  /** The scoped token making it: only that token reads it, and its predict time counts against the token's cap. */
  tokenId?: string | null;
  /** A training (the version's train() runs; its result becomes a version of `destination`). */
  destination?: string;
}

/**
 * What a succeeded training becomes (implemented in models/): the new version of its destination,
 * made from the base version's files and the trained weights. Returns the training's output
 * (`{version: "owner/name:id", weights}`); a throw fails the training and no version is made.
 */
export interface TrainingResults {
  complete(record: PredictionRecord, output: unknown): Promise<unknown>;
}

export interface RunContext {
  /** Whose prediction it is: the files its inputs may name are this account's uploads. */
  account: string;
  input: Record<string, unknown>;
  secretValues: string[];
  fileInputs: string[];
}

/**
 * The webhook messages a prediction's changes cause (implemented by webhooks/). Called only for
 * predictions that have a webhook.
 */
export interface PredictionWebhooks {
  /** Synchronously, with the record as it is about to be written: outbox rows committed with it. */
  onStatus(record: PredictionRecord): WebhookDeliveryRecord[];
  /** Once those rows are durable: send them. */
  committed(deliveries: WebhookDeliveryRecord[]): void;
  /** Output or logs grew (`record` is the live record; throttled sends read it later). */
  onProgress(record: PredictionRecord, event: "output" | "logs"): void;
}

/** A prediction's job: the pool it runs on is its deployment's for its version, else its version's. */
export function jobOf(record: PredictionRecord, run?: JobRun, hardware?: string): Job {
  const pool = poolKey(record.version, record.kind === "training" ? TRAINING_POOL : (record.deployment ?? null));
  return { predictionId: record.id, versionId: record.version, model: record.model, pool, account: record.account, ...(run ? { run } : {}), ...(hardware ? { hardware } : {}) };
}
