import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, isJsonObject, validationError } from "../../errors/index.ts";
import { parseDuration } from "../../lib/duration.ts";
import { PREDICTION_STATUSES, type InvalidField, type Prediction, type PredictionStatus } from "../../protocol/api-types.ts";
import type { PredictionSnapshot } from "../../events/event-bus.ts";
import type { VersionRecord } from "../../store/store.ts";
import { cursorOf, predictionPage } from "../pagination.ts";
import { parsePreferWait } from "../prefer.ts";
import { presentPrediction } from "../present.ts";
import { checkModelOfToken } from "../auth.ts";
import { idempotent } from "../idempotency.ts";
import { webhookFieldProblems, webhookOptions } from "../webhook-fields.ts";
import type { ApiDeps } from "../server.ts";

const PAGE_SIZE = 100;
/** Keys accepted on create; others are a 422 as on Replicate. `stream` is deprecated and ignored. */
/** Unknown keys reported in one 422 at most (a body with thousands must not make a huge answer). */
const MAX_REPORTED_KEYS = 20;
/** The longest Cancel-After / lifetime accepted: a year. */
const MAX_LIFETIME_SECONDS = 365 * 24 * 3600;
const CREATE_KEYS = new Set(["input", "webhook", "webhook_completed", "webhook_events_filter", "stream", "lifetime", "data_retention"]);

type Params = { id: string };

export function registerPredictionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { predictions, models } = deps;

  app.post("/v1/predictions", async (request, reply) => {
    const body = createBody(request, true, deps.config.allowPrivateUrls);
    const version = await models.resolveVersion(request.account, body.version as string);
    // The other create routes name their model or deployment in the URL (checked in auth.ts).
    await checkModelOfToken(request, deps.tokens, `${version.owner}/${version.name}`);
    return createPrediction(request, reply, version, body);
  });

  app.post<{ Params: { owner: string; name: string } }>("/v1/models/:owner/:name/predictions", async (request, reply) => {
    const body = createBody(request, false, deps.config.allowPrivateUrls);
    const model = await models.get(request.account, request.params.owner, request.params.name);
    const version = await models.latestVersion(model);
    if (!version) throw new AppError("invalid_version", `${model.owner}/${model.name} has no versions yet; push one with \`sprocket push\`.`);
    return createPrediction(request, reply, version, body);
  });

  // A deployment's prediction runs its current release's version on the deployment's own pool.
  app.post<{ Params: { owner: string; name: string } }>("/v1/deployments/:owner/:name/predictions", async (request, reply) => {
    const body = createBody(request, false, deps.config.allowPrivateUrls);
    const { deployment, version } = await deps.deployments.forPrediction(request.account, request.params.owner, request.params.name);
    return createPrediction(request, reply, version, body, `${deployment.owner}/${deployment.name}`);
  });

  app.get("/v1/predictions", async (request) => {
    const query = request.query as Record<string, string | undefined>;
    const page = await deps.store.listPredictions({
      account: request.account,
      // A scoped token lists only the predictions it made.
      tokenId: request.token?.grant ? request.token.id! : undefined,
      limit: PAGE_SIZE,
      after: cursorOf(request),
      createdAfter: dateParam(query.created_after, "created_after"),
      createdBefore: dateParam(query.created_before, "created_before"),
      status: statusParam(query.status),
    });
    return predictionPage(request, page, predictions, (prediction) => presentPrediction(prediction, request.origin, deps.signer));
  });

  app.get<{ Params: Params }>("/v1/predictions/:id", async (request) => {
    const prediction = await predictions.get(request.params.id, request.account);
    if (!prediction || !visibleTo(request, prediction)) throw notFound();
    return withQueue(presentPrediction(prediction, request.origin, deps.signer));
  });

  app.post<{ Params: Params }>("/v1/predictions/:id/cancel", async (request) => {
    if (request.token?.grant) {
      const own = await predictions.get(request.params.id, request.account);
      if (!own || !visibleTo(request, own)) throw notFound();
    }
    const prediction = await predictions.requestCancel(request.params.id, request.account);
    if (!prediction) throw notFound();
    return presentPrediction(prediction, request.origin, deps.signer);
  });

  /** A prediction still waiting shows where it stands in its pool's queue and why (extension). */
  function withQueue(presented: Prediction): Prediction {
    const queue = presented.status === "starting" ? deps.queueOf?.(presented.id) : null;
    return queue ? { ...presented, sprocket_queue: queue } : presented;
  }

  async function createPrediction(request: FastifyRequest, reply: FastifyReply, version: VersionRecord, body: Record<string, unknown>, deployment?: string) {
    let made: PredictionSnapshot | undefined;
    const { predictionId, statusCode, replayed } = await idempotent(request, deps.store, deps.config.idempotencyHours, async () => {
      const input = deps.validator.validate(`${version.owner}/${version.name}:${version.id}`, version.openapiSchema, body.input);
      await checkSpendingCap(request);
      made = await predictions.create({
        account: request.account,
        version,
        input,
        ...webhookOptions(body),
        lifetimeSeconds: lifetimeOf(request, body),
        retentionSeconds: retentionOf(body, deps.config.dataRetentionHours),
        deployment,
        tokenId: request.token?.grant ? request.token.id : null,
      });
      models.countRun(version.owner, version.name);
      return made.id;
    });
    if (replayed) reply.header("idempotent-replayed", "true");
    // A new prediction answers as it was created (`starting`, as Replicate); a replay as it is now.
    const created = made ?? (await predictions.get(predictionId, request.account));
    if (!created) throw notFound();
    let prediction = created;
    const wait = parsePreferWait(request.headers.prefer);
    if (wait !== null) {
      const done = await predictions.waitUntilDone(created.id, wait * 1000);
      // On timeout Replicate reports `starting` whatever the real state: both official clients
      // treat any other status in a sync response as final and would return partial output.
      prediction = done ?? { ...((await predictions.get(created.id, request.account)) ?? created), status: "starting" };
      reply.header("preference-applied", `wait=${wait}`);
    }
    const presented = withQueue(presentPrediction(prediction, request.origin, deps.signer));
    reply.header("location", presented.urls.get);
    return reply.code(statusCode).send(presented);
  }

  /** A scoped token with a spending cap may not start more once its predictions used it up. */
  async function checkSpendingCap(request: FastifyRequest): Promise<void> {
    const token = request.token;
    const cap = token?.grant?.spendingCapSeconds ?? 0;
    if (!token || cap <= 0) return;
    const spent = await deps.tokens.spentSeconds(request.bearer);
    if (spent < cap) return;
    const error = new AppError("forbidden", `This token's spending cap of ${cap} predict-seconds is used up (${spent.toFixed(1)} s spent); create a new token.`);
    await deps.tokens.audit({ account: token.account, action: "token.refused", tokenId: token.id, detail: `${request.method} ${request.url.split("?")[0]}: ${error.message}`, ip: request.ip });
    throw error;
  }
}

const notFound = () => new AppError("not_found", "The requested resource could not be found.");

/** A scoped token sees only the predictions it made; a full token, all of its account's. */
function visibleTo(request: FastifyRequest, prediction: PredictionSnapshot): boolean {
  return !request.token?.grant || prediction.token_id === request.token.id;
}

/** Checks the create body's own shape (not the model's input; that is the validator's job). */
function createBody(request: FastifyRequest, needsVersion: boolean, allowPrivate: boolean): Record<string, unknown> {
  const body = request.body;
  if (body === undefined) throw validationError([{ type: "required", field: "", description: "input is required" }]);
  if (!isJsonObject(body)) {
    throw validationError([{ type: "invalid_type", field: "", description: "the request body must be a JSON object" }]);
  }
  const fields: InvalidField[] = [];
  const record = body;
  for (const key of Object.keys(record)) {
    if (!CREATE_KEYS.has(key) && !(needsVersion && key === "version")) {
      fields.push({ type: "additional_property_not_allowed", field: "", description: `Additional property ${key} is not allowed` });
      if (fields.length >= MAX_REPORTED_KEYS) break;
    }
  }
  if (needsVersion && record.version === undefined) fields.push({ type: "required", field: "", description: "version is required" });
  else if (needsVersion && typeof record.version !== "string") fields.push({ type: "invalid_type", field: "version", description: "version must be a string" });
  if (record.input === undefined) fields.push({ type: "required", field: "", description: "input is required" });
  fields.push(...webhookFieldProblems(record, allowPrivate));
  if (fields.length > 0) throw validationError(fields);
  return record;
}

function lifetimeOf(request: FastifyRequest, body: Record<string, unknown>): number | null {
  const header = request.headers["cancel-after"];
  const raw = typeof header === "string" ? header : typeof body.lifetime === "string" || typeof body.lifetime === "number" ? String(body.lifetime) : null;
  if (raw === null) return null;
  const seconds = parseDuration(raw);
  if (seconds === null || seconds < 5 || seconds > MAX_LIFETIME_SECONDS) {
    throw validationError([
      {
        type: "format",
        field: typeof header === "string" ? "Cancel-After" : "lifetime",
        description: `"${raw.slice(0, 40)}" is not a duration between 5 seconds and a year (e.g. 30s, 5m, 1h30m)`,
      },
    ]);
  }
  return seconds;
}

/**
 * How long the prediction's data is kept after it finishes: `data_retention` (a Sprocket
 * extension: a duration such as "1h" or "30m", seconds as a number, or "keep"), else the
 * operator's SPROCKET_DATA_RETENTION_HOURS (0: kept).
 */
function retentionOf(body: Record<string, unknown>, defaultHours: number): number | null {
  const raw = body.data_retention;
  if (raw === undefined || raw === null) return defaultHours > 0 ? defaultHours * 3600 : null;
  if (raw === "keep") return null;
  const seconds = typeof raw === "number" && Number.isInteger(raw) ? raw : typeof raw === "string" ? parseDuration(raw) : null;
  if (seconds === null || seconds < 0 || seconds > MAX_LIFETIME_SECONDS * 10) {
    throw validationError([
      { type: "format", field: "data_retention", description: `data_retention must be "keep", a duration (e.g. 30m, 24h) or a number of seconds, not ${JSON.stringify(raw).slice(0, 40)}` },
    ]);
  }
  return seconds;
}

/** `?status=` (Sprocket extension): one of the prediction states, or absent for all. */
function statusParam(value: string | undefined): PredictionStatus | undefined {
  if (value === undefined || value === "") return undefined;
  if (!PREDICTION_STATUSES.includes(value as PredictionStatus)) throw new AppError("bad_request", `status must be one of ${PREDICTION_STATUSES.join(", ")}, got "${value}"`);
  return value as PredictionStatus;
}

function dateParam(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new AppError("bad_request", `${name} must be an ISO 8601 date-time, got "${value}"`);
  return new Date(time).toISOString();
}

