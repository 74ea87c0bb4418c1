import type { PredictionSnapshot } from "../events/event-bus.ts";
import type { PredictionRecord } from "../store/store.ts";

/** The prediction as the API shows it, minus `urls` (which depend on the caller's origin). */
export function toSnapshot(record: PredictionRecord): PredictionSnapshot {
  const snapshot: PredictionSnapshot = {
    id: record.id,
    account: record.account,
    model: record.model,
    version: record.version,
    input: record.input,
    logs: record.logs,
    output: record.output,
    data_removed: record.dataRemoved,
    error: record.error,
    status: record.status,
    source: record.source,
    created_at: record.createdAt,
    started_at: record.startedAt,
    completed_at: record.completedAt,
    metrics: record.metrics,
  };
  if (record.deadline) snapshot.deadline = record.deadline;
  if (record.webhook) snapshot.webhook = record.webhook;
  if (record.webhookEventsFilter) snapshot.webhook_events_filter = record.webhookEventsFilter;
  if (record.deployment) snapshot.deployment = record.deployment;
  if (record.tokenId) snapshot.token_id = record.tokenId;
  if (record.kind === "training") snapshot.kind = "training";
  return snapshot;
}
