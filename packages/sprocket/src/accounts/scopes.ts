import { isJsonObject, validationError } from "../errors/index.ts";
import type { InvalidField } from "../protocol/api-types.ts";
import type { TokenGrant } from "../store/store.ts";

/** What a scoped token may be allowed to do (docs: README "Scoped tokens"). */
export const SCOPES = ["predictions.create", "predictions.read", "models.read"] as const;
export type Scope = (typeof SCOPES)[number];

const OWNER_NAME = /^[a-z0-9][a-z0-9_.-]*\/[a-z0-9][a-z0-9_.-]*$/i;
const MAX_NAME = 100;
const MAX_RESOURCES = 100;

export interface TokenRequest {
  name: string;
  grant: TokenGrant;
  expiresAt: string | null;
}

/**
 * The body of `POST /v1/tokens`: `scopes` (required), `models` and `deployments` (`owner/name`
 * lists: when either is given, the token may use only what they list), `expires_at` (ISO time in
 * the future), `rate_limit` (requests per minute) and `spending_cap_seconds` (predict-seconds).
 * Every problem is reported at once, each naming its field.
 */
export function parseTokenRequest(body: unknown, now: Date): TokenRequest {
  const problems: InvalidField[] = [];
  const bad = (field: string, description: string) => problems.push({ type: "invalid", field, description });
  if (!isJsonObject(body)) throw validationError([{ type: "required", field: "", description: 'send a JSON object, e.g. {"scopes": ["predictions.create"], "models": ["owner/name"]}' }]);
  for (const key of Object.keys(body)) {
    if (!["name", "scopes", "models", "deployments", "expires_at", "rate_limit", "spending_cap_seconds"].includes(key)) bad(key, "unknown field");
  }
  const name = body.name === undefined ? "scoped token" : body.name;
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_NAME) bad("name", `a string of 1 to ${MAX_NAME} characters`);
  const scopes = body.scopes;
  if (!Array.isArray(scopes) || scopes.length === 0) bad("scopes", `a non-empty list of: ${SCOPES.join(", ")}`);
  else for (const scope of scopes) if (!SCOPES.includes(scope as Scope)) bad("scopes", `unknown scope ${JSON.stringify(scope)}; known: ${SCOPES.join(", ")}`);
  const list = (field: "models" | "deployments"): string[] | null => {
    const value = body[field];
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value) || value.length > MAX_RESOURCES || value.some((v) => typeof v !== "string" || !OWNER_NAME.test(v))) {
      bad(field, `a list of at most ${MAX_RESOURCES} "owner/name" strings`);
      return null;
    }
    return value as string[];
  };
  const models = list("models");
  const deployments = list("deployments");
  let expiresAt: string | null = null;
  if (body.expires_at !== undefined && body.expires_at !== null) {
    const time = typeof body.expires_at === "string" ? Date.parse(body.expires_at) : NaN;
    if (Number.isNaN(time)) bad("expires_at", "an ISO 8601 time, e.g. 2026-12-31T00:00:00Z");
    else if (time <= now.getTime()) bad("expires_at", "must be in the future");
    else expiresAt = new Date(time).toISOString();
  }
  const count = (field: string): number => {
    const value = body[field];
    if (value === undefined || value === null) return 0;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      bad(field, "a number ≥ 0 (0: none)");
      return 0;
    }
    return value;
  };
  const rateLimitPerMinute = Math.floor(count("rate_limit"));
  const spendingCapSeconds = count("spending_cap_seconds");
  if (problems.length > 0) throw validationError(problems);
  const limited = models !== null || deployments !== null;
  return {
    name: name as string,
    grant: {
      scopes: [...new Set(scopes as Scope[])],
      models: limited ? (models ?? []) : null,
      deployments: limited ? (deployments ?? []) : null,
      rateLimitPerMinute,
      spendingCapSeconds,
    },
    expiresAt,
  };
}

/**
 * The scope a route needs from a scoped token, by method and route pattern; null: the route is
 * for full account tokens only (managing tokens, models, deployments, webhooks, the account…).
 */
export function scopeOfRoute(method: string, route: string): Scope | null {
  if (method === "POST" && ["/v1/predictions", "/v1/models/:owner/:name/predictions", "/v1/deployments/:owner/:name/predictions", "/v1/predictions/:id/cancel", "/v1/files"].includes(route)) {
    // Uploading a file input and canceling one's own prediction are part of making predictions.
    return "predictions.create";
  }
  if (method === "GET" && (route === "/v1/predictions" || route === "/v1/predictions/:id")) return "predictions.read";
  if ((method === "GET" || method === "QUERY") && (route === "/v1/models" || route.startsWith("/v1/models/:owner/:name") || route === "/v1/collections" || route.startsWith("/v1/collections/"))) {
    return "models.read";
  }
  return null;
}

/** Whether a grant lets its token use this model (`owner/name`). */
export function grantAllowsModel(grant: TokenGrant, model: string): boolean {
  return grant.models === null || grant.models.includes(model);
}

/** Whether a grant lets its token use this deployment (`owner/name`). */
export function grantAllowsDeployment(grant: TokenGrant, deployment: string): boolean {
  return grant.deployments === null || grant.deployments.includes(deployment);
}
