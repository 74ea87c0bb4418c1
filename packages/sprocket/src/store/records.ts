import type { PredictionStatus, WorkerReport } from "../protocol/api-types.ts";

export interface AccountRecord {
  username: string;
  name: string;
  type: "user" | "organization";
  createdAt: string;
}

export interface ModelRecord {
  owner: string;
  name: string;
  description: string | null;
  visibility: "public" | "private";
  githubUrl: string | null;
  paperUrl: string | null;
  licenseUrl: string | null;
  coverImageUrl: string | null;
  hardware: string;
  createdAt: string;
  runCount: number;
}

export interface VersionRecord {
  id: string;
  owner: string;
  name: string;
  createdAt: string;
  cogVersion: string;
  openapiSchema: Record<string, unknown>;
  /** What cog.yaml's `predict:` (or `run:`) names, e.g. "predict.ts:Predictor". */
  predictor: string;
  /** The bundle manifest: path → sha256 of the file's content. */
  files: Record<string, string>;
}

export interface PredictionRecord {
  id: string;
  /** The account that created it; every read is scoped to it. */
  account: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  output: unknown;
  logs: string;
  error: string | null;
  status: PredictionStatus;
  source: "api" | "web";
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  deadline: string | null;
  metrics: Record<string, number>;
  webhook: string | null;
  webhookEventsFilter: string[] | null;
  dataRemoved: boolean;
  /** `owner/name` of the deployment it was created through; null (or absent) when made on a version or model. */
  deployment?: string | null;
  /** Seconds after completion its data is kept (data retention); null or absent: kept. */
  retentionSeconds?: number | null;
  /** When its output, file inputs and webhook messages are removed; set when it finishes. */
  dataExpiresAt?: string | null;
  /** The scoped token it was created with (null: a full account token); such a token reads only its own. */
  tokenId?: string | null;
  /** The worker host a queued prediction was handed to (scale-out), until it finishes. */
  workerId?: string | null;
  /** A training runs the version's train() and ends in a new version of `destination`. Absent: "prediction". */
  kind?: "prediction" | "training";
  /** `owner/name` of the model a training's result becomes a version of. */
  destination?: string | null;
}

/** What a scoped token may do (null on a full account token: everything its account may). */
export interface TokenGrant {
  scopes: string[];
  /** `owner/name` of the models it may use; null: any the account may. */
  models: string[] | null;
  /** `owner/name` of the deployments it may use; null: any the account may. */
  deployments: string[] | null;
  /** Requests per minute (0: the server's limits only). */
  rateLimitPerMinute: number;
  /** Predict-seconds its predictions may use in all (0: no cap). */
  spendingCapSeconds: number;
}

/** A token as authentication sees it. Scoped tokens have an id, a name and a grant. */
export interface TokenRecord {
  account: string;
  id: string | null;
  name: string;
  grant: TokenGrant | null;
  createdAt: string;
  expiresAt: string | null;
  spentSeconds: number;
}

/** An Idempotency-Key claim: the request it was first used with, and what that request created. */
export interface IdempotencyRecord {
  requestHash: string;
  predictionId: string | null;
  statusCode: number | null;
  createdAt: string;
}

/** A token created, revoked or refused (extension: GET /v1/audit). */
export interface AuditEventRecord {
  id?: number;
  account: string;
  at: string;
  action: "token.created" | "token.revoked" | "token.refused";
  tokenId: string | null;
  detail: string;
  ip: string | null;
}

/** A file uploaded with the Files API (`POST /v1/files`); its bytes are the blob `sha256`. */
export interface FileRecord {
  /** Time-ordered, like prediction ids. */
  id: string;
  /** The uploading account; every read is scoped to it. */
  account: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  md5: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  expiresAt: string;
}

export interface ListPage<T> {
  rows: T[];
  /** More rows exist past the last one returned. */
  more: boolean;
}

export type WebhookEventType = "start" | "output" | "logs" | "completed";

/**
 * One webhook message in the outbox: sent at once, retried from here until delivered or the
 * retry window ends. `id` is the `webhook-id` header, the same on every attempt.
 */
export interface WebhookDeliveryRecord {
  id: string;
  predictionId: string;
  account: string;
  url: string;
  event: WebhookEventType;
  /** The exact JSON sent (and signed). */
  body: string;
  /** pending: to send (again); superseded: a newer message of the same prediction carries its content. */
  state: "pending" | "delivered" | "failed" | "superseded";
  attempts: number;
  createdAt: string;
  /** When the next attempt is due (pending only). */
  nextAttemptAt: string | null;
  /** After this, a failed attempt is the last one. */
  giveUpAt: string;
}

/** One try at sending a delivery, for the attempt log. */
export interface WebhookAttemptRecord {
  deliveryId: string;
  predictionId: string;
  attempt: number;
  attemptedAt: string;
  url: string;
  event: WebhookEventType;
  /** The receiver's HTTP status, or null when no answer came (network error, timeout, refused). */
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * A deployment with its current release inline: the API shows only `current_release`, so earlier
 * releases are not kept (their number is; each update increments it).
 */
export interface DeploymentRecord {
  owner: string;
  name: string;
  createdAt: string;
  release: DeploymentRelease;
}

export interface DeploymentRelease {
  number: number;
  /** `owner/name` of the deployed model. */
  model: string;
  version: string;
  hardware: string;
  minInstances: number;
  maxInstances: number;
  createdAt: string;
  /** The account that made this release, as it was then (`created_by` in the API). */
  createdBy: { type: "user" | "organization"; username: string; name: string };
}

/** A worker host as its last heartbeat described it (protocol/api-types.ts). */
export type WorkerRecord = WorkerReport;
