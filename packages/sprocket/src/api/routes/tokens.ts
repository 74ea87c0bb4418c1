import type { FastifyInstance } from "fastify";
import { parseTokenRequest } from "../../accounts/scopes.ts";
import { AppError } from "../../errors/index.ts";
import type { AuditEventRecord, TokenRecord } from "../../store/store.ts";
import type { ApiDeps } from "../server.ts";

const AUDIT_PAGE = 100;

/** A scoped token as the API shows it: never its secret, which only the create answer carries once. */
function presentToken(token: TokenRecord) {
  const grant = token.grant!;
  return {
    id: token.id,
    name: token.name,
    scopes: grant.scopes,
    models: grant.models,
    deployments: grant.deployments,
    expires_at: token.expiresAt,
    rate_limit: grant.rateLimitPerMinute,
    spending_cap_seconds: grant.spendingCapSeconds,
    spent_seconds: token.spentSeconds,
    created_at: token.createdAt,
  };
}

function presentAudit(event: AuditEventRecord) {
  return { id: event.id, at: event.at, action: event.action, token_id: event.tokenId, detail: event.detail, ip: event.ip };
}

/**
 * Scoped tokens and the audit log (extensions, README "Scoped tokens"). Only full account tokens
 * reach these routes: auth.ts refuses scoped ones before they get here.
 */
export function registerTokenRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post("/v1/tokens", async (request, reply) => {
    const { token, record } = await deps.tokens.createScopedToken(request.account, parseTokenRequest(request.body, new Date()));
    await deps.tokens.audit({ account: request.account, action: "token.created", tokenId: record.id, detail: `${record.name}: ${record.grant!.scopes.join(", ")}`, ip: request.ip });
    return reply.code(201).send({ ...presentToken(record), token });
  });

  app.get("/v1/tokens", async (request) => ({ results: (await deps.tokens.listScopedTokens(request.account)).map(presentToken) }));

  app.delete<{ Params: { id: string } }>("/v1/tokens/:id", async (request, reply) => {
    if (!(await deps.tokens.revokeScopedToken(request.account, request.params.id))) {
      throw new AppError("not_found", `You have no scoped token ${request.params.id}.`);
    }
    await deps.tokens.audit({ account: request.account, action: "token.revoked", tokenId: request.params.id, detail: "revoked", ip: request.ip });
    return reply.code(204).send();
  });

  app.get("/v1/audit", async (request) => {
    const raw = (request.query as Record<string, string | undefined>).before;
    const before = raw === undefined ? undefined : Number(raw);
    if (before !== undefined && !Number.isInteger(before)) throw new AppError("bad_request", "`before` is an audit event id from a previous page's `next`.");
    const events = await deps.tokens.listAudit(request.account, AUDIT_PAGE + 1, before);
    const more = events.length > AUDIT_PAGE;
    const page = events.slice(0, AUDIT_PAGE);
    return {
      results: page.map(presentAudit),
      next: more ? `${request.origin}/v1/audit?before=${page.at(-1)!.id}` : null,
    };
  });
}
