// Every setting Sprocket has. The README's configuration table is checked against this list.

export type Parser<T> = (raw: string) => T;

export interface Setting<T> {
  env: string;
  /** Read when `env` is unset (e.g. REPLICATE_API_TOKEN for the client's token). */
  fallbackEnv?: string;
  default: T;
  doc: string;
  parse: Parser<T>;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> => (raw) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`expected an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
};
const bool: Parser<boolean> = (raw) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`expected true or false, got "${raw}"`);
};
const str: Parser<string> = (raw) => raw;
const optionalStr: Parser<string | null> = (raw) => (raw === "" ? null : raw);
/** Comma-separated origins (scheme://host[:port]), e.g. for CORS. */
const origins: Parser<string[]> = (raw) => {
  const list = raw.split(",").map((o) => o.trim()).filter(Boolean);
  for (const origin of list) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new Error(`expected origins like https://app.example.com separated by commas, got "${origin}"`);
  }
  return list;
};

export const SETTINGS = {
  host: { env: "SPROCKET_HOST", default: "127.0.0.1", doc: "Address the HTTP server listens on.", parse: str },
  port: { env: "SPROCKET_PORT", default: 5000, doc: "Port the HTTP server listens on (0 picks a free one).", parse: int(0, 65535) },
  dataDir: { env: "SPROCKET_DATA", default: ".sprocket", doc: "Directory for the database, bundles and the admin token file.", parse: str },
  publicUrl: {
    env: "SPROCKET_PUBLIC_URL",
    default: null,
    doc: "Origin used in URLs Sprocket returns (e.g. https://models.example.com). Unset: taken from the request's Host (and X-Forwarded-* with SPROCKET_TRUST_PROXY).",
    parse: optionalStr,
  },
  trustProxy: {
    env: "SPROCKET_TRUST_PROXY",
    default: false,
    doc: "Take the origin of returned URLs from X-Forwarded-Proto/Host (set behind a reverse proxy that sets them).",
    parse: bool,
  },
  adminToken: { env: "SPROCKET_ADMIN_TOKEN", default: null, doc: "Sets the `admin` account's API token at start. Unset: one is generated once and saved in the data dir.", parse: optionalStr },
  registerExamples: {
    env: "SPROCKET_EXAMPLES",
    default: true as boolean | string[],
    doc: "Register the bundled examples (examples/*: admin/hello, admin/ocr, …) as public models at start: true, false, or a comma-separated list of names (e.g. hello,ocr).",
    parse: (raw: string): boolean | string[] => (/^(1|true|yes|on|0|false|no|off)$/i.test(raw) ? bool(raw) : raw.split(",").map((n) => n.trim()).filter(Boolean)),
  },
  worker: { env: "SPROCKET_WORKER", default: true, doc: "Run model instances in this process (false: API only).", parse: bool },
  predictionTimeoutSeconds: { env: "SPROCKET_PREDICTION_TIMEOUT", default: 1800, doc: "Seconds a prediction may run before it fails as timed out.", parse: int(1) },
  cancelGraceMs: { env: "SPROCKET_CANCEL_GRACE_MS", default: 2000, doc: "After a cancel, milliseconds a predictor has to stop before its instance is killed.", parse: int(0) },
  setupTimeoutSeconds: { env: "SPROCKET_SETUP_TIMEOUT", default: 600, doc: "Seconds an instance's setup() may take before the instance is discarded.", parse: int(1) },
  python: { env: "SPROCKET_PYTHON", default: "python3", doc: "Python interpreter that runs Python (Cog) predictors.", parse: str },
  instanceIdleSeconds: {
    env: "SPROCKET_INSTANCE_IDLE_SECONDS",
    default: 300,
    doc: "Seconds a warm instance with nothing to do is kept before it stops (a deployment keeps its min_instances running).",
    parse: int(1),
  },
  spareRunner: {
    env: "SPROCKET_SPARE_RUNNER",
    default: true,
    doc: "Keep one Node runner process started ahead of need (~45 MiB), so a TypeScript model's cold start does not wait for Node to start (CPU instances).",
    parse: bool,
  },
  instancesPerVersion: { env: "SPROCKET_INSTANCES_PER_VERSION", default: 1, doc: "Most instances started for one version's predictions made without a deployment (deployments use their own min_instances/max_instances).", parse: int(1, 1024) },
  maxInstances: {
    env: "SPROCKET_MAX_INSTANCES",
    default: 8,
    doc: "Most model instances (child processes) running at once on this host, over all pools; deployments' min_instances count against it. At the cap, work for another pool stops the least recently used idle instance, else waits queued.",
    parse: int(1, 4096),
  },
  maxInstanceMemoryMb: {
    env: "SPROCKET_MAX_INSTANCE_MEMORY_MB",
    default: 0,
    doc: "Most resident memory (MiB, summed from /proc over running instances) before no further instance starts and idle ones are stopped for waiting work (0: no memory cap; ignored where /proc is missing).",
    parse: int(0),
  },
  rateLimitCreatesPerMinute: { env: "SPROCKET_RATE_LIMIT_CREATES", default: 600, doc: "Prediction creates per token per minute (0 turns the limit off).", parse: int(0) },
  rateLimitOtherPerMinute: { env: "SPROCKET_RATE_LIMIT_OTHER", default: 3000, doc: "Other requests per token per minute (0 turns the limit off).", parse: int(0) },
  bodyLimitBytes: { env: "SPROCKET_BODY_LIMIT", default: 16 * 1024 * 1024, doc: "Largest request body accepted, in bytes (larger: 413).", parse: int(1024) },
  blobLimitBytes: { env: "SPROCKET_BLOB_LIMIT", default: 1024 * 1024 * 1024, doc: "Largest single file accepted in a pushed bundle, in bytes.", parse: int(1024) },
  allowPrivateUrls: {
    env: "SPROCKET_ALLOW_PRIVATE_URLS",
    default: false,
    doc: "Let URL file inputs and webhooks reach private, loopback, link-local and metadata addresses (off: refused, against SSRF).",
    parse: bool,
  },
  databaseUrl: {
    env: "SPROCKET_DATABASE_URL",
    default: null,
    doc: "PostgreSQL to keep state in (postgres://user:password@host:5432/db; ?options=-c%20search_path%3Dschema for a schema) instead of the SQLite file in the data directory.",
    parse: optionalStr,
  },
  redisUrl: {
    env: "SPROCKET_REDIS_URL",
    default: null,
    doc: "Redis for scale-out (redis://[:password@]host:6379[/db]): the prediction queue (BullMQ) and the event bus (pub/sub) shared by every API replica and worker. Use with SPROCKET_DATABASE_URL and a data directory (or blob store) the replicas share.",
    parse: optionalStr,
  },
  redisPrefix: {
    env: "SPROCKET_REDIS_PREFIX",
    default: "sprocket",
    doc: "Prefix of every Redis key and channel Sprocket uses (the BullMQ queue is `<prefix>:sprocket-jobs`), so installations can share one Redis.",
    parse: str,
  },
  corsOrigins: {
    env: "SPROCKET_CORS_ORIGINS",
    default: [] as string[],
    doc: "Browser origins allowed to call the API (CORS), comma-separated, e.g. https://app.example.com. Empty: CORS off.",
    parse: origins,
  },
  corsScopedTokensOnly: {
    env: "SPROCKET_CORS_SCOPED_ONLY",
    default: false,
    doc: "Refuse full account tokens on requests from allowed browser origins: only scoped tokens (POST /v1/tokens) work there.",
    parse: bool,
  },
  idempotencyHours: {
    env: "SPROCKET_IDEMPOTENCY_HOURS",
    default: 24,
    doc: "Hours an Idempotency-Key on a create is remembered: the same key and body within it returns the first prediction.",
    parse: int(1, 24 * 365),
  },
  dataRetentionHours: {
    env: "SPROCKET_DATA_RETENTION_HOURS",
    default: 0,
    doc: "Hours after a prediction finishes that its output, output files, file inputs and webhook messages are kept (0: kept until deleted). A create may set its own with `data_retention`.",
    parse: int(0),
  },
  webhookRetrySeconds: {
    env: "SPROCKET_WEBHOOK_RETRY_SECONDS",
    default: 86400,
    doc: "Seconds a webhook that gets no 2xx (network error, 429, 5xx) is retried, with exponential backoff, before it is given up.",
    parse: int(1),
  },
  fileLimitBytes: {
    env: "SPROCKET_FILE_LIMIT",
    default: 100 * 1024 * 1024,
    doc: "Largest file accepted by the Files API (`POST /v1/files`), in bytes (larger: 413). Separate from SPROCKET_BODY_LIMIT, which bounds JSON bodies.",
    parse: int(1),
  },
  inputFileLimitBytes: { env: "SPROCKET_INPUT_FILE_LIMIT", default: 100 * 1024 * 1024, doc: "Largest file fetched for a URL file input, in bytes.", parse: int(1) },
  urlSigningSecret: {
    env: "SPROCKET_URL_SIGNING_SECRET",
    default: null,
    doc: "Secret (32 characters or more) that signs the token-free URLs Sprocket returns (prediction streams, Files API downloads). Set the same on every API replica, so each accepts the others' URLs. Unset: one is generated and saved in the data directory.",
    parse: (raw: string): string | null => {
      if (raw === "") return null;
      if (raw.length < 32) throw new Error(`expected at least 32 characters (e.g. openssl rand -base64 32), got ${raw.length}`);
      return raw;
    },
  },
  s3Bucket: {
    env: "SPROCKET_S3_BUCKET",
    default: null,
    doc: "S3 bucket to keep blobs (pushed files, uploads, output files) in, instead of the data directory alone, which then serves as a cache; needed by several API replicas. Unset: blobs on local disk.",
    parse: optionalStr,
  },
  s3Endpoint: {
    env: "SPROCKET_S3_ENDPOINT",
    default: null,
    doc: "URL of the S3-compatible server (e.g. http://minio.storage:9000). Unset: AWS S3 in SPROCKET_S3_REGION.",
    parse: (raw: string): string | null => {
      if (raw === "") return null;
      if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(raw)) throw new Error(`expected an http(s) URL such as http://minio:9000, got "${raw}"`);
      return raw;
    },
  },
  s3Region: { env: "SPROCKET_S3_REGION", default: "us-east-1", doc: "Region requests to the S3 bucket are signed for.", parse: str },
  s3AccessKeyId: { env: "SPROCKET_S3_ACCESS_KEY_ID", default: null, doc: "Access key id for the S3 bucket (required with SPROCKET_S3_BUCKET).", parse: optionalStr },
  s3SecretAccessKey: {
    env: "SPROCKET_S3_SECRET_ACCESS_KEY",
    default: null,
    doc: "Secret access key for the S3 bucket (required with SPROCKET_S3_BUCKET). A secret: never logged, never passed to model processes.",
    parse: optionalStr,
  },
  s3Prefix: { env: "SPROCKET_S3_PREFIX", default: "", doc: "Key prefix inside the S3 bucket (e.g. sprocket/), so one bucket can hold other things too.", parse: str },
  s3ForcePathStyle: {
    env: "SPROCKET_S3_FORCE_PATH_STYLE",
    default: true,
    doc: "Address the S3 bucket in the path (http://host/bucket/key), as most S3-compatible servers want; false: as a subdomain (bucket.host).",
    parse: bool,
  },
  serverUrl: { env: "SPROCKET_URL", default: null, doc: "Server the CLI talks to (`push`), e.g. http://127.0.0.1:5000.", parse: optionalStr },
  apiToken: {
    env: "SPROCKET_API_TOKEN",
    fallbackEnv: "REPLICATE_API_TOKEN",
    default: null,
    doc: "API token the CLI sends (`push`); REPLICATE_API_TOKEN is read when this is unset.",
    parse: optionalStr,
  },
  logLevel: { env: "SPROCKET_LOG_LEVEL", default: "info", doc: "Server log level: debug, info, warn, error or silent.", parse: str },
} satisfies Record<string, Setting<unknown>>;

type Settings = typeof SETTINGS;
export type Config = { readonly [K in keyof Settings]: Settings[K]["default"] extends null ? string | null : Settings[K]["default"] };
export type ConfigKey = keyof Settings;
