import type { FastifyInstance } from "fastify";
import { AppError } from "../../errors/index.ts";
import type { WebhookAttemptRecord, WebhookDeliveryRecord } from "../../store/store.ts";
import type { ApiDeps } from "../server.ts";

type Params = { id: string };

/**
 * The account's signing secret (Replicate's endpoint) and, as Sprocket extensions, a prediction's
 * webhook deliveries with every attempt, and a redelivery of its final webhook.
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { webhooks, store } = deps;

  app.get("/v1/webhooks/default/secret", async (request) => ({ key: await webhooks.secretFor(request.account) }));

  app.get<{ Params: Params }>("/v1/predictions/:id/webhooks", async (request) => {
    const prediction = await ownPrediction(request.params.id, request.account);
    const [deliveries, attempts] = await Promise.all([store.webhookDeliveries(prediction.id), store.webhookAttempts(prediction.id)]);
    return {
      webhook: prediction.webhook ?? null,
      webhook_events_filter: prediction.webhook_events_filter ?? null,
      deliveries: deliveries.map(presentDelivery),
      results: attempts.map(presentAttempt),
    };
  });

  app.post<{ Params: Params }>("/v1/predictions/:id/webhooks/redeliver", async (request, reply) => {
    const prediction = await ownPrediction(request.params.id, request.account);
    if (!prediction.webhook) throw new AppError("conflict", "This prediction has no webhook to deliver to.");
    const record = await store.getPrediction(prediction.id);
    const delivery = record ? await webhooks.redeliver(record) : null;
    if (!delivery) throw new AppError("conflict", `This prediction is ${prediction.status}; only a finished prediction's final webhook can be redelivered.`);
    return reply.code(202).send(presentDelivery(delivery));
  });

  async function ownPrediction(id: string, account: string) {
    const prediction = await deps.predictions.get(id, account);
    if (!prediction) throw new AppError("not_found", "The requested resource could not be found.");
    return prediction;
  }
}

function presentDelivery(d: WebhookDeliveryRecord) {
  return {
    webhook_id: d.id,
    event: d.event,
    url: d.url,
    state: d.state,
    attempts: d.attempts,
    created_at: d.createdAt,
    next_attempt_at: d.nextAttemptAt,
    give_up_at: d.giveUpAt,
  };
}

function presentAttempt(a: WebhookAttemptRecord) {
  return {
    webhook_id: a.deliveryId,
    event: a.event,
    url: a.url,
    attempt: a.attempt,
    attempted_at: a.attemptedAt,
    status: a.statusCode,
    latency_ms: a.latencyMs,
    error: a.error,
  };
}
