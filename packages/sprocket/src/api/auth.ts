import fp from "fastify-plugin";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { grantAllowsDeployment, grantAllowsModel, scopeOfRoute } from "../accounts/scopes.ts";
import type { TokenService } from "../accounts/token-service.ts";
import { AppError } from "../errors/index.ts";
import type { TokenRecord } from "../store/store.ts";
import { RateLimiter } from "./rate-limit.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The token the request came with (its grant is null for a full account token). */
    token: TokenRecord | null;
    /** The bearer secret itself (for reads that must be fresh, such as what the token has spent). */
    bearer: string;
  }
}

/** Routes that need no token: health, and capability URLs that carry their own proof. */
const PUBLIC_PREFIXES = ["/health", "/v1/streams/", "/o/"];
/**
 * The dashboard's routes (routes/dashboard.ts): its page, its assets, and the page again for its
 * own client-side paths. They carry no secrets (the page asks for a token and sends it to /v1
 * itself), so they need none; a /v1 path that only the catch-all matched stays protected.
 */
const DASHBOARD_ROUTES = new Set(["/", "/assets/*", "/*"]);
/** Signed Files API downloads (`/v1/files/{id}/download?…&signature=`). */
const FILE_DOWNLOAD = /^\/v1\/files\/[^/?]+\/download(\?|$)/;

export interface AuthOptions {
  tokens: TokenService;
  limits: { create: number; other: number };
  /** Browser origins allowed by CORS; with `corsScopedOnly`, requests from them need a scoped token. */
  corsOrigins: string[];
  corsScopedOnly: boolean;
  /** Requests wait for this (start-up recovery) before they are handled. */
  ready?: Promise<void>;
}

/**
 * Who a request is, and whether it may do what it asks: the bearer token (401 when missing,
 * unknown or expired), the server's and the token's own rate limits (429), and for a scoped token
 * the scope its route needs and the model or deployment it names (403 naming what is missing).
 * Every refusal of a known token is recorded in its account's audit log. A plugin (fastify-plugin),
 * so that it runs after CORS: a refused browser request still carries the CORS headers that let
 * the page read the error.
 */
export const registerAuth = fp(async (app: FastifyInstance, options: AuthOptions) => {
  app.decorateRequest("account", "");
  app.decorateRequest("token", null);
  app.decorateRequest("bearer", "");
  const limiter = new RateLimiter(options.limits);
  const corsOn = options.corsOrigins.length > 0;
  let starting = options.ready !== undefined;
  void options.ready?.then(() => (starting = false), () => {});

  const refuse = async (request: FastifyRequest, token: TokenRecord, error: AppError): Promise<never> => {
    await options.tokens.audit({ account: token.account, action: "token.refused", tokenId: token.id, detail: `${request.method} ${request.url.split("?")[0]}: ${error.message}`, ip: request.ip });
    throw error;
  };

  app.addHook("onRequest", async (request) => {
    if (starting) await options.ready;
    if (PUBLIC_PREFIXES.some((prefix) => request.url.startsWith(prefix)) || FILE_DOWNLOAD.test(request.url)) return;
    if (isDashboard(request)) return;
    // A CORS preflight carries no credentials by design; the CORS plugin answers it.
    if (corsOn && request.method === "OPTIONS" && request.headers["access-control-request-method"]) return;
    const bearer = bearerToken(request);
    if (!bearer) throw new AppError("unauthenticated", "You did not pass an authentication token");
    const token = await options.tokens.authenticate(bearer);
    if (!token) throw new AppError("invalid_token", "You did not pass a valid authentication token");
    if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) {
      await refuse(request, token, new AppError("token_expired", `This token expired at ${token.expiresAt}; create a new one with POST /v1/tokens.`));
    }
    request.account = token.account;
    request.token = token;
    request.bearer = bearer;
    const origin = request.headers.origin;
    if (options.corsScopedOnly && !token.grant && typeof origin === "string" && options.corsOrigins.includes(origin)) {
      await refuse(request, token, new AppError("insufficient_scope", `Requests from ${origin} need a scoped token (POST /v1/tokens); this server refuses full account tokens from browsers.`));
    }
    limiter.check(bearer, isCreate(request) ? "create" : "other");
    if (token.grant) {
      if (token.grant.rateLimitPerMinute > 0) limiter.checkLimit(`token:${token.id}`, token.grant.rateLimitPerMinute);
      await checkGrant(request, token, refuse);
    }
  });
});

async function checkGrant(request: FastifyRequest, token: TokenRecord, refuse: (r: FastifyRequest, t: TokenRecord, e: AppError) => Promise<never>): Promise<void> {
  const grant = token.grant!;
  const route = request.routeOptions.url ?? "";
  const scope = scopeOfRoute(request.method, route);
  const what = `${request.method} ${route || request.url.split("?")[0]}`;
  if (!scope) return refuse(request, token, new AppError("insufficient_scope", `${what} needs a full account token; this token is scoped to ${grant.scopes.join(", ")}.`));
  if (!grant.scopes.includes(scope)) return refuse(request, token, new AppError("insufficient_scope", `${what} needs the scope "${scope}"; this token has ${grant.scopes.join(", ")}.`));
  const params = (request.params ?? {}) as { owner?: string; name?: string };
  if (params.owner && params.name) {
    const ref = `${params.owner}/${params.name}`;
    if (route.startsWith("/v1/deployments/") && !grantAllowsDeployment(grant, ref)) {
      return refuse(request, token, new AppError("insufficient_scope", `This token may not use the deployment ${ref}; it may use ${describeResources(grant.deployments)}.`));
    }
    if (route.startsWith("/v1/models/") && !grantAllowsModel(grant, ref)) {
      return refuse(request, token, new AppError("insufficient_scope", `This token may not use the model ${ref}; it may use ${describeResources(grant.models)}.`));
    }
  } else if (scope === "models.read" && grant.models !== null) {
    // Listing or searching every model would show what a model-limited token may not read.
    return refuse(request, token, new AppError("insufficient_scope", `${what} lists all models; this token may read only ${describeResources(grant.models)} (GET /v1/models/OWNER/NAME).`));
  }
}

/** A scoped token's check of the model a prediction runs, for routes that learn it from the body (POST /v1/predictions). */
export async function checkModelOfToken(request: FastifyRequest, tokens: TokenService, model: string): Promise<void> {
  const token = request.token;
  if (!token?.grant || grantAllowsModel(token.grant, model)) return;
  const error = new AppError("insufficient_scope", `This token may not use the model ${model}; it may use ${describeResources(token.grant.models)}.`);
  await tokens.audit({ account: token.account, action: "token.refused", tokenId: token.id, detail: `${request.method} ${request.url.split("?")[0]}: ${error.message}`, ip: request.ip });
  throw error;
}

function describeResources(list: string[] | null): string {
  return list === null ? "any" : list.length === 0 ? "none" : list.join(", ");
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  // `Bearer` is what the clients send; `Token` is Replicate's legacy scheme, still in its docs.
  const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

function isDashboard(request: FastifyRequest): boolean {
  return (request.method === "GET" || request.method === "HEAD") && DASHBOARD_ROUTES.has(request.routeOptions.url ?? "") && !/^\/v1(\/|\?|$)/.test(request.url);
}

function isCreate(request: FastifyRequest): boolean {
  return request.method === "POST" && /^\/v1\/(predictions|models\/[^/]+\/[^/]+\/predictions|deployments\/[^/]+\/[^/]+\/predictions)\/?(\?|$)/.test(request.url);
}
