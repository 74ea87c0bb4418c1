import type { FastifyInstance } from "fastify";
import { AppError } from "../../errors/index.ts";
import type { ApiDeps } from "../server.ts";

/**
 * `GET /metrics` in Prometheus's text format (a Sprocket extension). It shows every account's
 * queues and instances, so only the admin account's token may read it (scrapers send it as a
 * bearer token).
 */
export function registerMetricsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get("/metrics", async (request, reply) => {
    if (request.account !== "admin") throw new AppError("forbidden", "Only the admin account's token may read /metrics.");
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
}
