// The embedded database's schema, as numbered migrations applied in order at open.
// A migration is never edited once released: add a new one.
//
// Predictions are written three times each (created, processing, finished), so their table is
// kept lean: WITHOUT ROWID (the time-ordered id is the b-tree key, no separate id index) and one
// secondary index (account, created_at) for listing. Every index is pages rewritten per commit.
// Recovery's scan for unfinished rows at start-up reads the table once instead of keeping an index.

export const SQLITE_MIGRATIONS: string[] = [
  `
  CREATE TABLE accounts (
    username TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts(username),
    label TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE models (
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    visibility TEXT NOT NULL,
    github_url TEXT,
    paper_url TEXT,
    license_url TEXT,
    cover_image_url TEXT,
    hardware TEXT NOT NULL,
    created_at TEXT NOT NULL,
    run_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner, name)
  );
  CREATE INDEX models_created ON models(created_at DESC, owner, name);
  CREATE TABLE versions (
    id TEXT NOT NULL,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    cog_version TEXT NOT NULL,
    openapi_schema TEXT NOT NULL,
    predictor TEXT NOT NULL,
    files TEXT NOT NULL,
    PRIMARY KEY (owner, name, id)
  );
  CREATE INDEX versions_id ON versions(id);
  CREATE INDEX versions_model_latest ON versions(owner, name, created_at DESC, id DESC);
  CREATE TABLE predictions (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    model TEXT NOT NULL,
    version TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT,
    logs TEXT NOT NULL,
    error TEXT,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    deadline TEXT,
    metrics TEXT NOT NULL,
    webhook TEXT,
    webhook_events_filter TEXT,
    data_removed INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE INDEX predictions_account_created ON predictions(account, created_at DESC, id DESC);
  `,
  // Who uploaded which blob: a push may use only blobs its own account uploaded, so the shared,
  // content-addressed store tells no account what another one has.
  `
  CREATE TABLE blob_owners (
    account TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (account, sha256)
  ) WITHOUT ROWID;
  `,
  // Webhooks: each account's signing secret, the outbox (one row per message, sent at once and
  // retried from here, so delivery survives restarts) and the log of every attempt. The partial
  // index holds only pending rows: the retry scan never reads delivered history.
  `
  CREATE TABLE webhook_secrets (
    account TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    prediction_id TEXT NOT NULL,
    account TEXT NOT NULL,
    url TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT,
    give_up_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE state = 'pending';
  CREATE INDEX webhook_deliveries_prediction ON webhook_deliveries(prediction_id, created_at);
  CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL,
    prediction_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    attempted_at TEXT NOT NULL,
    url TEXT NOT NULL,
    event TEXT NOT NULL,
    status_code INTEGER,
    latency_ms REAL NOT NULL,
    error TEXT,
    PRIMARY KEY (delivery_id, attempt)
  ) WITHOUT ROWID;
  CREATE INDEX webhook_attempts_prediction ON webhook_attempts(prediction_id, attempted_at);
  `,
  // Files API uploads: metadata here, bytes in the content-addressed blob store. Listed per
  // account newest first, like predictions.
  `
  CREATE TABLE files (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    md5 TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX files_account_created ON files(account, created_at DESC, id DESC);
  `,
  // Deployments: one row each with its current release in columns. The API shows only
  // `current_release` and no endpoint lists past releases, so a releases table would be history
  // nobody reads; the number still increments per update (compare-and-set on it, so two
  // concurrent updates cannot both become release N+1). Predictions record the deployment they
  // were made through, for the API's `deployment` field and so recovery requeues them on its pool.
  `
  CREATE TABLE deployments (
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    release_number INTEGER NOT NULL,
    model TEXT NOT NULL,
    version TEXT NOT NULL,
    hardware TEXT NOT NULL,
    min_instances INTEGER NOT NULL,
    max_instances INTEGER NOT NULL,
    release_created_at TEXT NOT NULL,
    release_created_by TEXT NOT NULL,
    PRIMARY KEY (owner, name)
  ) WITHOUT ROWID;
  CREATE INDEX deployments_owner_created ON deployments(owner, created_at DESC, name DESC);
  CREATE INDEX deployments_version ON deployments(model, version);
  ALTER TABLE predictions ADD COLUMN deployment TEXT;
  `,
  // Data retention: how long a prediction's data is kept after it finishes, and when that is.
  // The partial index holds only predictions with an expiry still to come, so the sweep reads
  // nothing when retention is off (the default) and the hot path writes no index pages for it.
  `
  ALTER TABLE predictions ADD COLUMN retention_seconds INTEGER;
  ALTER TABLE predictions ADD COLUMN data_expires_at TEXT;
  CREATE INDEX predictions_data_expiry ON predictions(data_expires_at) WHERE data_expires_at IS NOT NULL AND data_removed = 0;
  CREATE INDEX files_expiry ON files(expires_at);
  `,
  // Scoped tokens (an id to manage them by, what they may do, an expiry, what they spent), the
  // token each prediction was made with (a scoped token reads only its own), Idempotency-Key
  // claims (the primary key makes concurrent duplicates one prediction), and the audit log.
  `
  ALTER TABLE tokens ADD COLUMN id TEXT;
  ALTER TABLE tokens ADD COLUMN grant_json TEXT;
  ALTER TABLE tokens ADD COLUMN expires_at TEXT;
  ALTER TABLE tokens ADD COLUMN spent_seconds REAL NOT NULL DEFAULT 0;
  CREATE UNIQUE INDEX tokens_id ON tokens(id) WHERE id IS NOT NULL;
  ALTER TABLE predictions ADD COLUMN token_id TEXT;
  CREATE INDEX predictions_token ON predictions(token_id, created_at DESC, id DESC) WHERE token_id IS NOT NULL;
  CREATE TABLE idempotency_keys (
    account TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    prediction_id TEXT,
    status_code INTEGER,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account, key)
  ) WITHOUT ROWID;
  CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    token_id TEXT,
    detail TEXT NOT NULL,
    ip TEXT
  );
  CREATE INDEX audit_events_account ON audit_events(account, id DESC);
  `,
  // Trainings are predictions that run the version's train() and end in a new version of
  // `destination`: one table, one queue, one state machine; lists keep the two kinds apart.
  `
  ALTER TABLE predictions ADD COLUMN kind TEXT NOT NULL DEFAULT 'prediction';
  ALTER TABLE predictions ADD COLUMN destination TEXT;
  CREATE INDEX predictions_account_kind_created ON predictions(account, kind, created_at DESC, id DESC);
  `,
  // Worker hosts (scale-out): each heartbeat refreshes its row; a prediction handed to a worker
  // names it, so when a worker stops heartbeating its predictions can be ended or queued again.
  `
  ALTER TABLE predictions ADD COLUMN worker_id TEXT;
  CREATE INDEX predictions_worker ON predictions(worker_id) WHERE worker_id IS NOT NULL;
  CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hardware TEXT NOT NULL,
    instances TEXT NOT NULL,
    running TEXT NOT NULL,
    last_seen INTEGER NOT NULL,
    started_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // Cancel-After in scale-out: a prediction a worker host in another process runs is in no API
  // replica's memory, so replicas find overdue ones here (only unfinished ones with a deadline).
  `
  CREATE INDEX predictions_open_deadline ON predictions(deadline) WHERE deadline IS NOT NULL AND status IN ('starting', 'processing');
  `,
];
