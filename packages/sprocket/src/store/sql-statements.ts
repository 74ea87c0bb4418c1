// SQL both stores run (predictions, scoped tokens, Idempotency-Key claims), built once: the statement text with `?` placeholders (the
// PostgreSQL store numbers them) and its values, so the two stores cannot disagree on columns.
import type { IdempotencyRecord, PredictionListQuery, PredictionPatch, PredictionRecord, TokenRecord } from "./store.ts";
import type { Row } from "./sql-rows.ts";
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
  if (q.status) {
    where.push("status = ?");
    values.push(q.status);
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

export function insertScopedTokenStatement(tokenHash: string, t: TokenRecord): Statement {
  return {
    text: "INSERT INTO tokens (hash, username, label, created_at, id, grant_json, expires_at, spent_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
    values: [tokenHash, t.account, t.name, t.createdAt, t.id, JSON.stringify(t.grant), t.expiresAt],
  };
}

/** Claims a key in one statement: the primary key decides between concurrent claims; an expired claim is taken over. */
export function claimIdempotencyKeyStatement(account: string, key: string, requestHash: string, now: string, expiredBefore: string): Statement {
  return {
    text: `INSERT INTO idempotency_keys (account, key, request_hash, prediction_id, status_code, created_at) VALUES (?, ?, ?, NULL, NULL, ?)
       ON CONFLICT (account, key) DO UPDATE SET request_hash = excluded.request_hash, prediction_id = NULL, status_code = NULL, created_at = excluded.created_at
       WHERE idempotency_keys.created_at < ?`,
    values: [account, key, requestHash, now, expiredBefore],
  };
}

export const SELECT_IDEMPOTENCY_KEY = "SELECT * FROM idempotency_keys WHERE account = ? AND key = ?";

export function toIdempotency(row: Row): IdempotencyRecord {
  return {
    requestHash: String(row.request_hash),
    predictionId: row.prediction_id === null ? null : String(row.prediction_id),
    statusCode: row.status_code === null ? null : Number(row.status_code),
    createdAt: String(row.created_at),
  };
}

/** A due webhook delivery taken for one attempt (see Store.leaseWebhookDelivery). */
export function leaseWebhookDeliveryStatement(id: string, due: string, until: string): Statement {
  return { text: "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND state = 'pending' AND next_attempt_at = ?", values: [until, id, due] };
}
