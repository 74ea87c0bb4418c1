import type { CursorKey } from "../lib/cursor.ts";
import type {
  AccountRecord,
  AuditEventRecord,
  DeploymentRecord,
  DeploymentRelease,
  FileRecord,
  IdempotencyRecord,
  ListPage,
  ModelRecord,
  PredictionRecord,
  TokenRecord,
  VersionRecord,
  WebhookAttemptRecord,
  WebhookDeliveryRecord,
  WorkerRecord,
} from "./records.ts";

export type {
  AccountRecord,
  AuditEventRecord,
  IdempotencyRecord,
  TokenGrant,
  TokenRecord,
  DeploymentRecord,
  DeploymentRelease,
  FileRecord,
  ListPage,
  ModelRecord,
  PredictionRecord,
  VersionRecord,
  WebhookAttemptRecord,
  WebhookDeliveryRecord,
  WebhookEventType,
  WorkerRecord,
} from "./records.ts";

export interface PredictionListQuery {
  account: string;
  limit: number;
  /** Rows strictly older than this key (newest-first pages). */
  after?: CursorKey;
  createdAfter?: string;
  createdBefore?: string;
  /** Only the predictions made with this scoped token. */
  tokenId?: string;
  /** Predictions (the default) or trainings. */
  kind?: "prediction" | "training";
  /** Only those in this state (Sprocket extension `?status=`, for the dashboard's filter). */
  status?: PredictionRecord["status"];
}

export type PredictionPatch = Partial<
  Pick<PredictionRecord, "status" | "input" | "output" | "logs" | "error" | "startedAt" | "completedAt" | "metrics" | "dataRemoved" | "dataExpiresAt">
>;

/** Durable state. Implementations: SqliteStore (embedded). Contract: contract.ts. */
export interface Store {
  ensureAccount(username: string): Promise<AccountRecord>;
  getAccount(username: string): Promise<AccountRecord | null>;
  /** Stores a token hash for an account. */
  addToken(tokenHash: string, username: string, label: string): Promise<void>;
  /** Removes every token of `username` with this label (used to rotate the admin token). */
  removeTokens(username: string, label: string): Promise<void>;
  findTokenAccount(tokenHash: string): Promise<string | null>;
  /** The token with this hash, with its grant and expiry, or null. */
  findToken(tokenHash: string): Promise<TokenRecord | null>;
  /** Stores a scoped token (it has an id and a grant). */
  insertScopedToken(tokenHash: string, token: TokenRecord): Promise<void>;
  /** The account's scoped tokens, newest first. */
  listScopedTokens(account: string): Promise<TokenRecord[]>;
  /** Deletes the account's scoped token; false when it had none with this id. */
  deleteScopedToken(account: string, id: string): Promise<boolean>;
  /** Adds predict-seconds to what a scoped token has spent. */
  addTokenSpend(id: string, seconds: number): Promise<void>;

  /**
   * Claims an Idempotency-Key for a request: true when this call claimed it (also when an older
   * claim, made before `expiredBefore`, was replaced); otherwise the existing claim.
   */
  claimIdempotencyKey(account: string, key: string, requestHash: string, now: string, expiredBefore: string): Promise<true | IdempotencyRecord>;
  /** Records what the claimed request created. */
  completeIdempotencyKey(account: string, key: string, predictionId: string, statusCode: number): Promise<void>;
  /** Drops a claim whose request failed, so the key can be used again. */
  releaseIdempotencyKey(account: string, key: string): Promise<void>;
  /** Deletes claims made before `before` (past the window, they answer nothing); returns how many. */
  deleteIdempotencyKeysBefore(before: string): Promise<number>;

  addAuditEvent(event: AuditEventRecord): Promise<void>;
  /** The account's audit events, newest first, those with an id below `beforeId` when given. */
  listAuditEvents(account: string, limit: number, beforeId?: number): Promise<AuditEventRecord[]>;

  /** Inserts a model; returns false when owner/name is taken. */
  insertModel(model: ModelRecord): Promise<boolean>;
  getModel(owner: string, name: string): Promise<ModelRecord | null>;
  /** Models the viewer may see (its own and public ones), newest first. */
  listModels(viewer: string, limit: number, after?: CursorKey): Promise<ListPage<ModelRecord>>;
  deleteModel(owner: string, name: string): Promise<void>;
  addRunCount(owner: string, name: string, runs: number): Promise<void>;

  /** Inserts a version; returns false when this model already has this version id. */
  insertVersion(version: VersionRecord): Promise<boolean>;
  getVersion(owner: string, name: string, id: string): Promise<VersionRecord | null>;
  /** Every model's copy of a version id (the same content may be pushed to several models). */
  findVersionsById(id: string): Promise<VersionRecord[]>;
  listVersions(owner: string, name: string, limit: number, after?: CursorKey): Promise<ListPage<VersionRecord>>;
  latestVersion(owner: string, name: string): Promise<VersionRecord | null>;
  countVersions(owner: string, name: string): Promise<number>;
  deleteVersion(owner: string, name: string, id: string): Promise<void>;

  /** Records that `account` uploaded (or owns a copy of) this blob. */
  addBlobOwner(account: string, sha256: string): Promise<void>;
  /** Which of these digests `account` has uploaded. */
  blobsOwnedBy(account: string, sha256s: string[]): Promise<Set<string>>;

  insertFile(file: FileRecord): Promise<void>;
  /** The account's file with this id, or null (another account's file is null too). */
  getFile(account: string, id: string): Promise<FileRecord | null>;
  /** The account's files, newest first. */
  listFiles(account: string, limit: number, after?: CursorKey): Promise<ListPage<FileRecord>>;
  /** Deletes the account's file; false when it had none with this id. */
  deleteFile(account: string, id: string): Promise<boolean>;
  /** Deletes every file whose `expires_at` is at or before `now`; returns how many. */
  deleteExpiredFiles(now: string): Promise<number>;
  /** Finished predictions whose data expired at or before `now` and is not removed yet. */
  predictionsWithExpiredData(now: string, limit: number): Promise<PredictionRecord[]>;
  /** Deletes a prediction's webhook messages and attempt log (they hold copies of its output). */
  deleteWebhookData(predictionId: string): Promise<void>;

  /** Inserts a deployment; false when its owner already has one with this name. */
  insertDeployment(deployment: DeploymentRecord): Promise<boolean>;
  getDeployment(owner: string, name: string): Promise<DeploymentRecord | null>;
  /** The owner's deployments, newest first (cursor id: the deployment's name). */
  listDeployments(owner: string, limit: number, after?: CursorKey): Promise<ListPage<DeploymentRecord>>;
  /** Every deployment (the worker keeps their pools warm from start-up). */
  allDeployments(): Promise<DeploymentRecord[]>;
  /**
   * Replaces the current release if it is still number `release.number - 1`; false otherwise
   * (deleted, or another update got there first).
   */
  replaceDeploymentRelease(owner: string, name: string, release: DeploymentRelease): Promise<boolean>;
  /** False when there was no such deployment. */
  deleteDeployment(owner: string, name: string): Promise<boolean>;
  /** Whether any deployment's current release runs this version of this model. */
  versionIsDeployed(model: string, version: string): Promise<boolean>;

  /** Inserts a prediction, and in the same transaction any webhook messages it causes. */
  insertPrediction(prediction: PredictionRecord, deliveries?: WebhookDeliveryRecord[]): Promise<void>;
  /**
   * Updates a prediction, and in the same transaction inserts the webhook messages this change
   * causes: a terminal state is never durable without its `completed` webhook.
   */
  updatePrediction(id: string, patch: PredictionPatch, deliveries?: WebhookDeliveryRecord[]): Promise<void>;
  getPrediction(id: string): Promise<PredictionRecord | null>;
  listPredictions(query: PredictionListQuery): Promise<ListPage<PredictionRecord>>;
  /** Every prediction in one of these states, oldest first (used by recovery at start). */
  predictionsWithStatus(statuses: readonly string[]): Promise<PredictionRecord[]>;

  /** The account's webhook signing secret: the stored one, or `candidate` stored now if it has none. */
  ensureWebhookSecret(account: string, candidate: string): Promise<string>;
  insertWebhookDelivery(delivery: WebhookDeliveryRecord): Promise<void>;
  /** Appends an attempt to the log and sets the delivery's state after it, together. */
  recordWebhookAttempt(attempt: WebhookAttemptRecord, after: Pick<WebhookDeliveryRecord, "state" | "attempts" | "nextAttemptAt">): Promise<void>;
  /** Pending deliveries due at `now` (ISO time), oldest due first. */
  dueWebhookDeliveries(now: string, limit: number): Promise<WebhookDeliveryRecord[]>;
  /** Marks the pending deliveries of `by`'s prediction, of these events and no newer than `by`, superseded. */
  supersedeWebhookDeliveries(by: WebhookDeliveryRecord, events: readonly string[]): Promise<void>;
  /**
   * Takes a due delivery for one attempt: its next attempt moves to `until`, only if it is still
   * pending and due at `due` (what the caller read). Of processes sharing a database, one gets true.
   */
  leaseWebhookDelivery(id: string, due: string, until: string): Promise<boolean>;
  /** Makes a delivery pending again (a redelivery), due at `nextAttemptAt`. */
  resetWebhookDelivery(id: string, nextAttemptAt: string, giveUpAt: string): Promise<void>;
  /** A prediction's deliveries, oldest first. */
  webhookDeliveries(predictionId: string): Promise<WebhookDeliveryRecord[]>;
  /** A prediction's attempt log, oldest first. */
  webhookAttempts(predictionId: string): Promise<WebhookAttemptRecord[]>;

  /** Worker hosts (scale-out, sql-workers.ts): a heartbeat inserts or refreshes the worker's row. */
  heartbeatWorker(worker: WorkerRecord): Promise<void>;
  listWorkers(): Promise<WorkerRecord[]>;
  /** Removes a worker silent since before `before` (ms); true only for the caller that removed it. */
  removeLostWorker(id: string, before: number): Promise<boolean>;
  removeWorker(id: string): Promise<void>;
  /** Hands a queued prediction to a worker; false when it is no longer queued or another worker has it. */
  assignPrediction(id: string, workerId: string): Promise<boolean>;
  /** A worker's unfinished predictions, oldest first. */
  predictionsOfWorker(workerId: string): Promise<PredictionRecord[]>;
  /** A handed-out prediction that never started goes back to no worker (to be queued again). */
  unassignPrediction(id: string): Promise<void>;
  /** Unfinished predictions whose deadline (Cancel-After) is at or before `now` (ISO). */
  overduePredictions(now: string, limit: number): Promise<PredictionRecord[]>;
  /** Queued predictions no worker holds, created before `before` (ISO), oldest first. */
  unassignedQueued(before: string, limit: number): Promise<PredictionRecord[]>;

  close(): Promise<void>;
}
