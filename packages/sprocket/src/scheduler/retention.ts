import type { OutputFiles } from "../files/output-files.ts";
import { fileInputNames } from "../predictions/input-fields.ts";
import { trainingView } from "../predictions/training-view.ts";
import type { Store } from "../store/store.ts";

/** Predictions whose data is removed per sweep (the rest wait for the next tick). */
const SWEEP_LIMIT = 100;

/**
 * Data retention: a finished prediction whose `data_expires_at` has passed loses its output (and
 * the files behind it), its file inputs and its webhook messages (which hold copies of the
 * output); it keeps its id, status, logs, metrics and timestamps, and `data_removed` becomes true.
 * Files API uploads past their `expires_at` are deleted too. `now` is injected so tests need no
 * sleeping. Returns how many predictions were cleared.
 */
export async function removeExpiredData(store: Store, outputs: Pick<OutputFiles, "remove">, now: number, idempotencyHours = 24): Promise<number> {
  await store.deleteExpiredFiles(new Date(now).toISOString());
  // Idempotency-Key claims past their window answer nothing any more.
  await store.deleteIdempotencyKeysBefore(new Date(now - idempotencyHours * 3_600_000).toISOString());
  const due = await store.predictionsWithExpiredData(new Date(now).toISOString(), SWEEP_LIMIT);
  const fileInputs = new Map<string, string[]>();
  for (const record of due) {
    // A training's file inputs are its TrainingInput's.
    const versionKey = `${record.model}:${record.version}:${record.kind ?? "prediction"}`;
    let names = fileInputs.get(versionKey);
    if (!names) {
      const [owner, name] = record.model.split("/");
      const found = await store.getVersion(owner, name, record.version);
      const version = found && record.kind === "training" ? trainingView(found) : found;
      names = version ? fileInputNames(version.openapiSchema) : [];
      fileInputs.set(versionKey, names);
    }
    const input = { ...record.input };
    for (const name of names) delete input[name];
    outputs.remove(record.output);
    await store.deleteWebhookData(record.id);
    await store.updatePrediction(record.id, { input, output: null, dataRemoved: true, dataExpiresAt: null });
  }
  return due.length;
}
