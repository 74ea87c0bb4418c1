// The /v1 resource shapes the dashboard reads, as the server sends them (snake_case, Replicate's
// wire format plus Sprocket's documented extensions). The dashboard talks to the API over HTTP
// only, so these are its own declarations, not imports from the server's source.

export type PredictionStatus = "starting" | "processing" | "succeeded" | "failed" | "canceled";
export const TERMINAL: ReadonlySet<string> = new Set(["succeeded", "failed", "canceled"]);

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
  source: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  deployment?: string;
  sprocket_queue?: { position: number; reason: string };
  metrics: Record<string, number>;
  webhook?: string;
  webhook_events_filter?: string[];
  urls: { get: string; cancel: string; stream: string; web: string };
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
  latest_version: Version | null;
  created_at: string;
}

export interface Account {
  type: string;
  username: string;
  name: string;
}

export interface Hardware {
  sku: string;
  name: string;
}

export interface Page<T> {
  previous: string | null;
  next: string | null;
  results: T[];
}

export interface DeploymentInstance {
  version: string;
  state: "starting" | "ready" | "busy" | "stopping";
  running: number;
  setup_time: number | null;
  started_at: string;
}

export interface Deployment {
  owner: string;
  name: string;
  current_release: {
    number: number;
    model: string;
    version: string;
    created_at: string;
    created_by: { username: string; name: string };
    configuration: { hardware: string; min_instances: number; max_instances: number };
  };
  sprocket_pool?: { instances: DeploymentInstance[]; queue_depth: number };
}

export interface ApiFile {
  id: string;
  name: string;
  content_type: string;
  size: number;
  urls: { get: string; download: string };
}

export interface ScopedToken {
  id: string;
  name: string;
  scopes: string[];
  models: string[] | null;
  deployments: string[] | null;
  expires_at: string | null;
  rate_limit: number;
  spending_cap_seconds: number;
  spent_seconds: number;
  created_at: string;
  /** Only in the create answer: the secret, shown once. */
  token?: string;
}

export interface WebhookDelivery {
  webhook_id: string;
  event: string;
  url: string;
  state: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  give_up_at: string | null;
}

export interface WebhookAttempt {
  webhook_id: string;
  event: string;
  url: string;
  attempt: number;
  attempted_at: string;
  status: number | null;
  latency_ms: number | null;
  error: string | null;
}

export interface WebhookLog {
  webhook: string | null;
  webhook_events_filter: string[] | null;
  deliveries: WebhookDelivery[];
  results: WebhookAttempt[];
}
