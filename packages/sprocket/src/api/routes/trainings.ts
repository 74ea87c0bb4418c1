import type { FastifyInstance } from "fastify";
import { AppError, isJsonObject, validationError } from "../../errors/index.ts";
import type { PredictionSnapshot } from "../../events/event-bus.ts";
import { trainingView } from "../../predictions/training-view.ts";
import { idempotent } from "../idempotency.ts";
import { cursorOf, predictionPage } from "../pagination.ts";
import { presentTraining } from "../present.ts";
import type { ApiDeps } from "../server.ts";
import { webhookFieldProblems, webhookOptions } from "../webhook-fields.ts";

const PAGE_SIZE = 100;
const CREATE_KEYS = new Set(["destination", "input", "webhook", "webhook_completed", "webhook_events_filter"]);

/**
 * Trainings (replicate-api.md §11): a training is a prediction that runs the version's train() on
 * instances of their own and, when it succeeds, becomes a new version of `destination`
 * (models/training-results.ts). Queue, logs, metrics, webhooks, streams, retention and cancel are
 * the predictions' own.
 */
export function registerTrainingRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { predictions, models } = deps;

  app.post<{ Params: { owner: string; name: string; id: string } }>("/v1/models/:owner/:name/versions/:id/trainings", async (request, reply) => {
    const body = request.body;
    if (!isJsonObject(body)) throw validationError([{ type: "required", field: "", description: "send a JSON object with destination and input" }]);
    const unknown = Object.keys(body).filter((key) => !CREATE_KEYS.has(key));
    if (unknown.length > 0) throw validationError(unknown.slice(0, 20).map((field) => ({ type: "additional_property_not_allowed", field, description: "unknown field" })));
    if (typeof body.destination !== "string" || !/^[^/\s]+\/[^/\s]+$/.test(body.destination)) {
      throw validationError([{ type: "invalid", field: "destination", description: 'the model the result becomes a version of, as "owner/name"' }]);
    }
    if (body.input === undefined) throw validationError([{ type: "required", field: "input", description: "input is required" }]);
    const webhookProblems = webhookFieldProblems(body, deps.config.allowPrivateUrls);
    if (webhookProblems.length > 0) throw validationError(webhookProblems);
    const { owner, name, id } = request.params;
    const base = await models.resolveVersion(request.account, `${owner}/${name}:${id}`);
    const version = trainingView(base);
    if (!version) throw new AppError("bad_request", `${owner}/${name}:${id} cannot be trained: its cog.yaml has no \`train:\` (e.g. train: "train.py:train").`);
    const [destOwner, destName] = body.destination.split("/");
    const destination = await deps.store.getModel(destOwner, destName);
    if (!destination || (destination.owner !== request.account && destination.visibility !== "public")) {
      // Replicate's own answer (replicate-api.md §11.1); a private model of another account is "missing" too.
      throw new AppError("not_found", "The specified training destination does not exist");
    }
    if (destination.owner !== request.account) {
      throw validationError([{ type: "invalid", field: "destination", description: `${body.destination} belongs to another account; trainings can only add versions to your own models` }]);
    }
    let made: PredictionSnapshot | undefined;
    const { predictionId, statusCode, replayed } = await idempotent(request, deps.store, deps.config.idempotencyHours, async () => {
      const input = deps.validator.validate(`${base.owner}/${base.name}:${base.id} (training)`, version.openapiSchema, body.input);
      made = await predictions.create({
        account: request.account,
        version,
        input,
        ...webhookOptions(body),
        retentionSeconds: deps.config.dataRetentionHours > 0 ? deps.config.dataRetentionHours * 3600 : null,
        destination: body.destination as string,
      });
      return made.id;
    });
    if (replayed) reply.header("idempotent-replayed", "true");
    const training = made ?? (await predictions.get(predictionId, request.account));
    if (!training) throw new AppError("not_found", "The requested resource could not be found.");
    const presented = presentTraining(training, request.origin, deps.signer);
    reply.header("location", presented.urls.get);
    return reply.code(statusCode).send(presented);
  });

  app.get("/v1/trainings", async (request) => {
    const page = await deps.store.listPredictions({ account: request.account, kind: "training", limit: PAGE_SIZE, after: cursorOf(request) });
    return predictionPage(request, page, predictions, (training) => presentTraining(training, request.origin, deps.signer));
  });

  app.get<{ Params: { id: string } }>("/v1/trainings/:id", async (request) => {
    const training = await predictions.get(request.params.id, request.account);
    if (!training || training.kind !== "training") throw new AppError("not_found", "The requested resource could not be found.");
    return presentTraining(training, request.origin, deps.signer);
  });

  app.post<{ Params: { id: string } }>("/v1/trainings/:id/cancel", async (request) => {
    const existing = await predictions.get(request.params.id, request.account);
    if (!existing || existing.kind !== "training") throw new AppError("not_found", "The requested resource could not be found.");
    const training = await predictions.requestCancel(request.params.id, request.account);
    return presentTraining(training ?? existing, request.origin, deps.signer);
  });
}
