import cors from "@fastify/cors";
import multipart from "@fastify/multipart";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { TokenService } from "../accounts/token-service.ts";
import type { Config } from "../config/index.ts";
import { AppError, PROBLEM_CONTENT_TYPE, parseJsonBody, toProblem } from "../errors/index.ts";
import type { OutputFiles } from "../files/output-files.ts";
import type { DeploymentService } from "../models/deployment-service.ts";
import type { ModelService } from "../models/model-service.ts";
import type { InputValidator } from "../predictions/input-validator.ts";
import type { PredictionService } from "../predictions/prediction-service.ts";
import type { Hardware, DeploymentPool, PredictionQueue } from "../protocol/api-types.ts";
import type { Store } from "../store/store.ts";
import type { UploadService } from "../uploads/upload-service.ts";
import type { WebhookDispatcher } from "../webhooks/webhook-dispatcher.ts";
import { registerAuth } from "./auth.ts";
import { registerAccountRoutes } from "./routes/account.ts";
import { registerBlobRoutes } from "./routes/blobs.ts";
import { registerDashboardRoutes } from "./routes/dashboard.ts";
import { registerDeploymentRoutes } from "./routes/deployments.ts";
import { registerFileRoutes } from "./routes/files.ts";
import { registerModelRoutes } from "./routes/models.ts";
import { registerOutputFileRoutes } from "./routes/output-files.ts";
import { registerPredictionRoutes } from "./routes/predictions.ts";
import { registerStreamRoutes } from "./routes/streams.ts";
import { registerWebhookRoutes } from "./routes/webhooks.ts";
import { registerMetricsRoutes } from "./routes/metrics.ts";
import { registerTokenRoutes } from "./routes/tokens.ts";
import { registerTrainingRoutes } from "./routes/trainings.ts";
import { registerWorkerRoutes } from "./routes/workers.ts";
import type { BlobStore } from "../files/blob-store.ts";
import type { RemoteRuns } from "../predictions/remote-runs.ts";
import type { Metrics } from "./metrics.ts";
import { originOf, type UrlSigner } from "./urls.ts";

export interface ApiDeps {
  config: Config;
  store: Store;
  tokens: TokenService;
  models: ModelService;
  deployments: DeploymentService;
  predictions: PredictionService;
  validator: InputValidator;
  signer: UrlSigner;
  hardware: Hardware[];
  outputs: OutputFiles;
  uploads: UploadService;
  webhooks: WebhookDispatcher;
  metrics: Metrics;
  /** Version files, for worker hosts in other processes. */
  blobs: BlobStore;
  /** The API side of `sprocket worker` hosts (api/routes/workers.ts). */
  remoteRuns?: RemoteRuns;
  /** Where a waiting prediction stands and why (the `sprocket_queue` extension); null once it runs. */
  queueOf?(predictionId: string): PredictionQueue | null;
  /** A deployment's instances and queue depth (the `sprocket_pool` extension). */
  deploymentPool?(deployment: string): DeploymentPool;
  /** Requests wait for this (start-up recovery) before they are handled. */
  ready?: Promise<void>;
  log(message: string): void;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated account (set by the auth hook on every /v1 route). */
    account: string;
    /** This request's absolute origin, for URLs in responses. */
    origin: string;
  }
}

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ bodyLimit: deps.config.bodyLimitBytes, logger: false, return503OnClosing: true });
  app.decorateRequest("origin", "");

  // The JS client sends `Content-Type: application/json` with an empty body on GET, DELETE and
  // cancel; an empty body is "no body", not a 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as AppError, undefined);
    }
  });

  const originOptions = {
    publicUrl: deps.config.publicUrl,
    trustProxy: deps.config.trustProxy,
    fallbackHost: `${deps.config.host.includes(":") ? `[${deps.config.host}]` : deps.config.host}:${deps.config.port}`,
  };
  app.addHook("onRequest", async (request) => {
    request.origin = originOf(request, originOptions);
  });
  // CORS first (a browser must be able to read even a refusal), then who is asking (auth.ts).
  if (deps.config.corsOrigins.length > 0) {
    void app.register(cors, {
      origin: deps.config.corsOrigins,
      methods: ["GET", "POST", "PATCH", "DELETE", "QUERY"],
      exposedHeaders: ["Location", "Retry-After", "Preference-Applied"],
      maxAge: 600,
    });
  }
  void app.register(registerAuth, {
    tokens: deps.tokens,
    limits: { create: deps.config.rateLimitCreatesPerMinute, other: deps.config.rateLimitOtherPerMinute },
    corsOrigins: deps.config.corsOrigins,
    corsScopedOnly: deps.config.corsScopedTokensOnly,
    ready: deps.ready,
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => sendError(toAppError(error, deps.log, request), reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(new AppError("not_found", `The requested resource could not be found (${request.method} ${request.url.split("?")[0]}).`), reply),
  );

  app.get("/health", async () => ({ status: "ready" }));
  registerAccountRoutes(app, deps);
  registerOutputFileRoutes(app, deps);
  registerStreamRoutes(app, deps);
  registerPredictionRoutes(app, deps);
  registerDeploymentRoutes(app, deps);
  registerWebhookRoutes(app, deps);
  registerMetricsRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerTrainingRoutes(app, deps);
  registerDashboardRoutes(app);
  // Other body types are accepted only where they mean something (fastify scopes parsers to the
  // plugin that adds them): text for model search, raw bytes, streamed, for pushed files.
  void app.register(async (scope) => {
    scope.addContentTypeParser("text/plain", { parseAs: "string" }, (_request, body, done) => done(null, body));
    registerModelRoutes(scope, deps);
  });
  void app.register(async (scope) => {
    // Pushed files arrive as a stream: the blob store hashes and writes them as they come, and
    // enforces SPROCKET_BLOB_LIMIT while reading.
    scope.addContentTypeParser("application/octet-stream", (_request, payload, done) => done(null, payload));
    registerBlobRoutes(scope, deps);
    registerWorkerRoutes(scope, deps);
  });
  // Files API uploads are multipart, streamed to disk part by part under their own limit
  // (SPROCKET_FILE_LIMIT, applied while reading); the JSON body limit does not apply to them.
  void app.register(async (scope) => {
    // The size limit is enforced by the blob store as the bytes arrive (with the limit in its 413).
    await scope.register(multipart, { throwFileSizeLimit: false });
    registerFileRoutes(scope, deps);
  });
  return app;
}

function toAppError(error: FastifyError | AppError, log: (message: string) => void, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new AppError("body_too_large", "The request body is larger than this server accepts (SPROCKET_BODY_LIMIT).");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new AppError("unsupported_media_type", `Content-Type ${request.headers["content-type"]} is not accepted by ${request.method} ${request.url.split("?")[0]}.`);
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new AppError("bad_request", "The Content-Length header does not match the body.");
  }
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError("bad_request", error.message);
  }
  log(`internal error on ${request.method} ${request.url}: ${error.stack ?? error.message}`);
  return new AppError("internal", "Something went wrong on the server. The error has been logged.", { cause: error });
}

/** The most of an unread request body drained after an error answer (see sendError). */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

function sendError(error: AppError, reply: FastifyReply) {
  if (error.headers) reply.headers(error.headers);
  // Refused before its body was read (a 413 on Content-Length, an upload cut off mid-stream): left
  // unread, it stalls this keep-alive connection and the client's next call hangs. A moderate rest
  // is read and dropped so the client gets the answer and keeps its connection; a huge one is not
  // worth receiving, so the connection closes after the answer.
  const raw = reply.request.raw;
  if (!raw.complete) {
    if (Number(raw.headers["content-length"] ?? Infinity) <= DRAIN_LIMIT_BYTES) raw.resume();
    else reply.header("connection", "close");
  }
  return reply.code(error.status).type(PROBLEM_CONTENT_TYPE).send(toProblem(error));
}
