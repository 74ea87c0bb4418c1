// How the SQL stores' rows (SQLite and PostgreSQL alike) map to records and back: column names, JSON columns, nullable text.
import type { PredictionPatch } from "./store.ts";
import type { AuditEventRecord, DeploymentRecord, FileRecord, ListPage, ModelRecord, PredictionRecord, VersionRecord, TokenRecord, WebhookAttemptRecord, WebhookDeliveryRecord, WorkerRecord } from "./records.ts";

export type Row = Record<string, unknown>;

export const PATCH_COLUMNS: Record<keyof PredictionPatch, string> = {
  status: "status",
  input: "input",
  dataExpiresAt: "data_expires_at",
  output: "output",
  logs: "logs",
  error: "error",
  startedAt: "started_at",
  completedAt: "completed_at",
  metrics: "metrics",
  dataRemoved: "data_removed",
};

export function encodeColumn(key: keyof PredictionPatch, value: unknown): unknown {
  if (key === "output") return value === null || value === undefined ? null : JSON.stringify(value);
  if (key === "metrics" || key === "input") return JSON.stringify(value);
  if (key === "dataRemoved") return value ? 1 : 0;
  return value;
}

export function page<T>(rows: T[], limit: number): ListPage<T> {
  return rows.length > limit ? { rows: rows.slice(0, limit), more: true } : { rows, more: false };
}

export const nullableString = (value: unknown) => (value === null || value === undefined ? null : String(value));

export function toModel(row: Row): ModelRecord {
  return {
    owner: String(row.owner),
    name: String(row.name),
    description: nullableString(row.description),
    visibility: row.visibility === "public" ? "public" : "private",
    githubUrl: nullableString(row.github_url),
    paperUrl: nullableString(row.paper_url),
    licenseUrl: nullableString(row.license_url),
    coverImageUrl: nullableString(row.cover_image_url),
    hardware: String(row.hardware),
    createdAt: String(row.created_at),
    runCount: Number(row.run_count),
  };
}

export function toVersion(row: Row): VersionRecord {
  return {
    id: String(row.id),
    owner: String(row.owner),
    name: String(row.name),
    createdAt: String(row.created_at),
    cogVersion: String(row.cog_version),
    openapiSchema: JSON.parse(String(row.openapi_schema)),
    predictor: String(row.predictor),
    files: JSON.parse(String(row.files)),
  };
}

export function toPrediction(row: Row): PredictionRecord {
  return {
    id: String(row.id),
    account: String(row.account),
    model: String(row.model),
    version: String(row.version),
    input: JSON.parse(String(row.input)),
    output: row.output === null ? null : JSON.parse(String(row.output)),
    logs: String(row.logs),
    error: nullableString(row.error),
    status: row.status as PredictionRecord["status"],
    source: row.source === "web" ? "web" : "api",
    createdAt: String(row.created_at),
    startedAt: nullableString(row.started_at),
    completedAt: nullableString(row.completed_at),
    deadline: nullableString(row.deadline),
    metrics: JSON.parse(String(row.metrics)),
    webhook: nullableString(row.webhook),
    webhookEventsFilter: row.webhook_events_filter === null ? null : JSON.parse(String(row.webhook_events_filter)),
    dataRemoved: Number(row.data_removed) === 1,
    deployment: nullableString(row.deployment),
    retentionSeconds: row.retention_seconds === null || row.retention_seconds === undefined ? null : Number(row.retention_seconds),
    dataExpiresAt: nullableString(row.data_expires_at),
    tokenId: nullableString(row.token_id),
    kind: row.kind === "training" ? "training" : "prediction",
    destination: nullableString(row.destination),
    workerId: nullableString(row.worker_id),
  };
}

export function toWorker(row: Row): WorkerRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    hardware: JSON.parse(String(row.hardware)),
    instances: JSON.parse(String(row.instances)),
    running: JSON.parse(String(row.running)),
    lastSeen: Number(row.last_seen),
    startedAt: Number(row.started_at),
  };
}

export function toFile(row: Row): FileRecord {
  return {
    id: String(row.id),
    account: String(row.account),
    name: String(row.name),
    contentType: String(row.content_type),
    size: Number(row.size),
    sha256: String(row.sha256),
    md5: String(row.md5),
    metadata: JSON.parse(String(row.metadata)),
    createdAt: String(row.created_at),
    expiresAt: String(row.expires_at),
  };
}

export function toDeployment(row: Row): DeploymentRecord {
  return {
    owner: String(row.owner),
    name: String(row.name),
    createdAt: String(row.created_at),
    release: {
      number: Number(row.release_number),
      model: String(row.model),
      version: String(row.version),
      hardware: String(row.hardware),
      minInstances: Number(row.min_instances),
      maxInstances: Number(row.max_instances),
      createdAt: String(row.release_created_at),
      createdBy: JSON.parse(String(row.release_created_by)),
    },
  };
}

export function toDelivery(row: Row): WebhookDeliveryRecord {
  return {
    id: String(row.id),
    predictionId: String(row.prediction_id),
    account: String(row.account),
    url: String(row.url),
    event: row.event as WebhookDeliveryRecord["event"],
    body: String(row.body),
    state: row.state as WebhookDeliveryRecord["state"],
    attempts: Number(row.attempts),
    createdAt: String(row.created_at),
    nextAttemptAt: nullableString(row.next_attempt_at),
    giveUpAt: String(row.give_up_at),
  };
}

export function toAttempt(row: Row): WebhookAttemptRecord {
  return {
    deliveryId: String(row.delivery_id),
    predictionId: String(row.prediction_id),
    attempt: Number(row.attempt),
    attemptedAt: String(row.attempted_at),
    url: String(row.url),
    event: row.event as WebhookAttemptRecord["event"],
    statusCode: row.status_code === null ? null : Number(row.status_code),
    latencyMs: Number(row.latency_ms),
    error: nullableString(row.error),
  };
}

export function toToken(row: Row): TokenRecord {
  return {
    account: String(row.username),
    id: row.id === null || row.id === undefined ? null : String(row.id),
    name: String(row.label),
    grant: row.grant_json === null || row.grant_json === undefined ? null : JSON.parse(String(row.grant_json)),
    createdAt: String(row.created_at),
    expiresAt: row.expires_at === null || row.expires_at === undefined ? null : String(row.expires_at),
    spentSeconds: Number(row.spent_seconds ?? 0),
  };
}

export function toAudit(row: Row): AuditEventRecord {
  return {
    id: Number(row.id),
    account: String(row.account),
    at: String(row.at),
    action: row.action as AuditEventRecord["action"],
    tokenId: row.token_id === null ? null : String(row.token_id),
    detail: String(row.detail),
    ip: row.ip === null ? null : String(row.ip),
  };
}
