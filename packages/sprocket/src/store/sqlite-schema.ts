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
];
