// The /v1 resource shapes the dashboard reads, as the server sends them (snake_case, Replicate's
// wire format plus Sprocket's documented extensions). The dashboard talks to the API over HTTP
// only; the shapes the server declares (protocol/api-types.ts, types without runtime code) are
// imported as types, so the two cannot drift; the rest are declared here.
export type { Account, ApiFile, Deployment, DeploymentInstance, Hardware, Model, Page, Prediction, PredictionStatus, Version } from "../../../sprocket/src/protocol/api-types.ts";

export const TERMINAL: ReadonlySet<string> = new Set(["succeeded", "failed", "canceled"]);

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
