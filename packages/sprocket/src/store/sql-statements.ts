// SQL both stores run for predictions, built once: the statement text with `?` placeholders (the
// PostgreSQL store numbers them) and its values, so the two stores cannot disagree on columns.
import type { PredictionListQuery, PredictionPatch, PredictionRecord } from "./store.ts";
import { PATCH_COLUMNS, encodeColumn } from "./sql-rows.ts";

export interface Statement {
  text: string;
  values: unknown[];
}

export function insertPredictionStatement(p: PredictionRecord): Statement {
  const text = `INSERT INTO predictions (id, account, model, version, input, output, logs, error, status, source, created_at,
       started_at, completed_at, deadline, metrics, webhook, webhook_events_filter, data_removed, deployment, retention_seconds, data_expires_at, token_id, kind, destination)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  const values = [
    p.id,
    p.account,
    p.model,
    p.version,
    JSON.stringify(p.input),
    p.output === null ? null : JSON.stringify(p.output),
    p.logs,
    p.error,
    p.status,
    p.source,
    p.createdAt,
    p.startedAt,
    p.completedAt,
    p.deadline,
    JSON.stringify(p.metrics),
    p.webhook,
    p.webhookEventsFilter ? JSON.stringify(p.webhookEventsFilter) : null,
    p.dataRemoved ? 1 : 0,
    p.deployment ?? null,
    p.retentionSeconds ?? null,
    p.dataExpiresAt ?? null,
    p.tokenId ?? null,
    p.kind ?? "prediction",
    p.destination ?? null,
  ];
  return { text, values };
}

/** The UPDATE for a patch; null when it changes nothing. The text depends only on which keys are patched. */
export function updatePredictionStatement(id: string, patch: PredictionPatch): Statement | null {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch)) {
    columns.push(`${PATCH_COLUMNS[key as keyof PredictionPatch]} = ?`);
    values.push(encodeColumn(key as keyof PredictionPatch, value));
  }
  return columns.length === 0 ? null : { text: `UPDATE predictions SET ${columns.join(", ")} WHERE id = ?`, values: [...values, id] };
}

/** One page (limit + 1 rows, to tell whether there is more) of an account's predictions or trainings, newest first. */
export function listPredictionsStatement(q: PredictionListQuery): Statement {
  const where = ["account = ?", "kind = ?"];
  const values: unknown[] = [q.account, q.kind ?? "prediction"];
  if (q.tokenId) {
    where.push("token_id = ?");
    values.push(q.tokenId);
  }
  if (q.after) {
    where.push("(created_at, id) < (?, ?)");
    values.push(q.after.createdAt, q.after.id);
  }
  if (q.createdAfter) {
    where.push("created_at >= ?");
    values.push(q.createdAfter);
  }
  if (q.createdBefore) {
    where.push("created_at < ?");
    values.push(q.createdBefore);
  }
  return { text: `SELECT * FROM predictions WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT ?`, values: [...values, q.limit + 1] };
}
