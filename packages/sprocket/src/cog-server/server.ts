// Cog's in-container HTTP API (docs/cog.md §2.1), answered as Cog 0.16's FastAPI server answers:
// errors are `{"detail": …}`, validation errors FastAPI's 422 list, not Replicate's problem JSON.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { AppError, parseJsonBody, validationError } from "../errors/index.ts";
import type { Health, ModelHost } from "./model-host.ts";
import { BUSY_DETAIL, type Predictions } from "./predictions.ts";
import { parsePredictionRequest, toFastApiErrors } from "./request-body.ts";

export interface CogServerOptions {
  host: ModelHost;
  predictions: Predictions;
  /** Reported as `cog_version` in the root document. */
  cogVersion: string;
  bodyLimitBytes: number;
  /** Called once POST /shutdown has been answered. */
  onShutdown(): void;
  log(message: string): void;
}

const HEALTH: Record<ModelHost["state"], Health> = {
  starting: "STARTING",
  ready: "READY",
  setup_failed: "SETUP_FAILED",
  defunct: "DEFUNCT",
  // Going away: pollers should stop sending work, as for a dead server.
  stopping: "DEFUNCT",
};

export function buildCogServer(o: CogServerOptions): FastifyInstance {
  const { host, predictions } = o;
  const app = Fastify({ logger: false, bodyLimit: o.bodyLimitBytes });

  // FastAPI reads a JSON body whatever its declared type; an empty body is no body.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as AppError, undefined);
    }
  });
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => sendError(error, request, reply, o.log));
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ detail: "Not Found" }));

  const index = {
    cog_version: o.cogVersion,
    openapi_url: "/openapi.json",
    shutdown_url: "/shutdown",
    healthcheck_url: "/health-check",
    predictions_url: "/predictions",
    predictions_idempotent_url: "/predictions/{prediction_id}",
    predictions_cancel_url: "/predictions/{prediction_id}/cancel",
  };
  app.get("/", async () => index);

  // Always 200: the status is in the body.
  app.get("/health-check", async () => {
    const status = host.state === "ready" && predictions.busy ? "BUSY" : HEALTH[host.state];
    return { status, setup: host.setup ?? {} };
  });

  app.get("/openapi.json", async (_request, reply) => {
    if (!host.schema) return reply.code(503).send({ detail: "The model's schema is not available yet; GET /health-check for status." });
    return host.schema;
  });

  app.post("/predictions", (request, reply) => create(request, reply, request.body, null));

  app.put<{ Params: { id: string } }>("/predictions/:id", (request, reply) => {
    // Cog's PUT requires a body (FastAPI `Body(...)`).
    if (request.body === undefined) throw validationError([{ field: "", type: "value_error.missing", description: "field required" }]);
    return create(request, reply, request.body, request.params.id);
  });

  app.post<{ Params: { id: string } }>("/predictions/:id/cancel", async (request, reply) =>
    reply.code(predictions.cancel(request.params.id) ? 200 : 404).send({}),
  );

  app.post("/shutdown", async (_request, reply) => {
    reply.raw.once("finish", () => o.onShutdown());
    return reply.code(200).send({});
  });

  /** POST /predictions and PUT /predictions/{id}: sync, or 202 with `Prefer: respond-async`. */
  async function create(request: FastifyRequest, reply: FastifyReply, body: unknown, urlId: string | null) {
    const parsed = parsePredictionRequest(body);
    if (urlId !== null) {
      if (parsed.id !== null && parsed.id !== urlId) {
        throw validationError([{ field: "id", type: "value_error", description: "prediction ID must match the ID supplied in the URL" }]);
      }
      parsed.id = urlId;
    }
    // Input problems come first (Cog's request model holds the input type), once it is known.
    const input = host.schema ? predictions.validateInput(parsed.input) : null;
    // Idempotent PUT: the same id again while it runs answers its current state, starts nothing.
    const existing = urlId !== null ? predictions.find(urlId) : undefined;
    if (existing) return reply.code(202).send(existing.state.toResponse());

    const refusal = refuse();
    if (refusal) return reply.code(refusal.status).send({ detail: refusal.detail });
    if (parsed.id !== null && predictions.find(parsed.id)) return reply.code(409).send({ detail: BUSY_DETAIL });

    const flight = predictions.start(parsed, input!, traceHeaders(request));
    // Cog compares the header with this exact string (no RFC 7240 parsing); so does this.
    if (request.headers.prefer === "respond-async") return reply.code(202).send(flight.state.toResponse());
    // A client that goes away does not stop the prediction (Cog 0.16).
    await flight.finished;
    return reply.code(200).send(flight.state.toResponse());
  }

  /** Why no prediction can start now, Cog 0.16's way: 409 while starting or full, 500 if broken. */
  function refuse(): { status: number; detail: string } | null {
    switch (host.state) {
      case "starting":
        return { status: 409, detail: BUSY_DETAIL };
      case "setup_failed":
        return { status: 500, detail: "Setup failed: GET /health-check for its logs." };
      case "defunct":
        return { status: 500, detail: "The model's process has died (health DEFUNCT); restart the server." };
      case "stopping":
        return { status: 503, detail: "The server is shutting down." };
      case "ready":
        return predictions.busy ? { status: 409, detail: BUSY_DETAIL } : null;
    }
  }

  return app;
}

/** W3C trace context is passed on to webhooks, as Cog does. */
function traceHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ["traceparent", "tracestate"]) {
    const value = request.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  return headers;
}

function sendError(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply, log: (message: string) => void) {
  if (error instanceof AppError) {
    if (error.code === "validation_failed") return reply.code(422).send({ detail: toFastApiErrors(error.invalidFields ?? []) });
    if (error.code === "malformed_json") return reply.code(422).send({ detail: [{ loc: ["body", 0], msg: error.message, type: "value_error.jsondecode" }] });
    return reply.code(error.status).send({ detail: error.message });
  }
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return reply.code(413).send({ detail: "Request body is too large" });
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    return reply.code(error.statusCode).send({ detail: error.message });
  }
  log(`internal error on ${request.method} ${request.url}: ${error.stack ?? error.message}`);
  return reply.code(500).send({ detail: "Internal Server Error" });
}
