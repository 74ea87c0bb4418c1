// Resource shapes of Replicate's HTTP API v1 as Sprocket sends them (replicate-api.md §5–§6).
// Every key is always present unless marked optional; Python 1.x rejects nulls in several
// string fields, so those are typed non-null here.

export const PREDICTION_STATUSES = ["starting", "processing", "succeeded", "failed", "canceled"] as const;
export type PredictionStatus = (typeof PREDICTION_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<PredictionStatus> = new Set(["succeeded", "failed", "canceled"]);

export interface PredictionUrls {
  get: string;
  cancel: string;
  stream: string;
  web: string;
}

export interface Prediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  logs: string;
  output: unknown;
  data_removed: boolean;
  error: string | null;
  status: PredictionStatus;
  source: "api" | "web";
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  deadline?: string;
  deployment?: string;
  /** Extension: where a waiting (`starting`) prediction stands in its pool's queue, and why. */
  sprocket_queue?: PredictionQueue;
  metrics: Record<string, number>;
  webhook?: string;
  webhook_events_filter?: string[];
  urls: PredictionUrls;
}

export interface Version {
  id: string;
  created_at: string;
  cog_version: string;
  openapi_schema: Record<string, unknown>;
}

export interface Model {
  url: string;
  owner: string;
  name: string;
  description: string | null;
  visibility: "public" | "private";
  github_url: string | null;
  paper_url: string | null;
  license_url: string | null;
  run_count: number;
  cover_image_url: string | null;
  default_example: Prediction | null;
  latest_version: Version | null;
  created_at: string;
  is_official: boolean;
}

export interface Account {
  type: "user" | "organization";
  username: string;
  name: string;
  github_url: string | null;
  avatar_url: string | null;
}

export interface Hardware {
  sku: string;
  name: string;
}

/** A Files API file (replicate-api.md §8.1). */
export interface ApiFile {
  id: string;
  name: string;
  content_type: string;
  size: number;
  /** MD5 hex of the content. */
  etag: string;
  checksums: { sha256: string; md5: string };
  metadata: Record<string, unknown>;
  created_at: string;
  expires_at: string;
  /** `get`: the API URL (what goes into prediction inputs); `download`: Sprocket extension, a signed link to the bytes. */
  urls: { get: string; download: string };
}

export interface Page<T> {
  previous: string | null;
  next: string | null;
  results: T[];
}

/** Error body: RFC 7807 problem details in Replicate's shape (replicate-api.md §3). */
export interface Problem {
  title?: string;
  detail: string;
  status: number;
  code?: string;
  invalid_fields?: InvalidField[];
}

export interface InvalidField {
  type: string;
  field: string;
  description: string;
}

/**
 * Why a prediction still waits (the `sprocket_queue.reason` extension): an instance of its pool is
 * starting; its pool runs its max and all are busy; the host is at SPROCKET_MAX_INSTANCES (or its
 * memory cap); every GPU is taken; no worker runs in this process; or it is being handed over.
 */
export type WaitReason = "instance_starting" | "pool_at_max" | "host_at_capacity" | "no_free_gpu" | "no_worker" | "dispatching";

/** `sprocket_queue` on a waiting prediction (extension): 1 is the next its pool runs. */
export interface PredictionQueue {
  position: number;
  reason: WaitReason;
}

/** One instance of a deployment, as `sprocket_pool.instances` shows it (extension). */
export interface DeploymentInstance {
  version: string;
  state: "starting" | "ready" | "busy" | "stopping";
  /** Predictions it runs now. */
  running: number;
  /** Seconds from spawn to the end of setup(); null while starting. */
  setup_time: number | null;
  /** When it was spawned (ISO 8601). */
  started_at: string;
}

/** `sprocket_pool` on a deployment (extension): its instances and how many predictions wait. */
export interface DeploymentPool {
  instances: DeploymentInstance[];
  queue_depth: number;
}

/** A deployment (replicate-api.md §7.1). `created_by` needs a non-null `name` for Python 1.x. */
export interface Deployment {
  owner: string;
  name: string;
  current_release: {
    number: number;
    model: string;
    version: string;
    created_at: string;
    created_by: Account;
    configuration: { hardware: string; min_instances: number; max_instances: number };
  };
  sprocket_pool?: DeploymentPool;
}

/** What a worker host's heartbeat reports (scale-out; kept by the store, times in ms since the epoch). */
export interface WorkerReport {
  id: string;
  name: string;
  /** The hardware SKUs it serves. */
  hardware: string[];
  /** Its model instances by pool and state, as it reported them. */
  instances: unknown[];
  /** Predictions it holds: preparing, running, or claimed and waiting in its own queue. */
  running: string[];
  lastSeen: number;
  startedAt: number;
}
