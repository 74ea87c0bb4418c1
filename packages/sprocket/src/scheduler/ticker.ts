import type { ModelService } from "../models/model-service.ts";
import type { PredictionService } from "../predictions/prediction-service.ts";
import type { WebhookDispatcher } from "../webhooks/webhook-dispatcher.ts";

/**
 * Once a second: cancel overdue predictions, write running predictions' logs and run counts, send
 * webhooks that are due again, and remove data past its retention.
 */
export function startTicker(
  predictions: PredictionService,
  models: ModelService,
  webhooks: WebhookDispatcher,
  /** Data retention's sweep (retention.ts), given the time. */
  removeExpired: (now: number) => Promise<unknown>,
  log: (message: string) => void,
): () => void {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      for (const id of predictions.overdue(Date.now())) await predictions.cancelForDeadline(id);
      await predictions.flushLogs();
      await models.flushRunCounts();
      await webhooks.deliverDue();
      await removeExpired(Date.now());
    } catch (error) {
      log(`scheduler tick failed: ${(error as Error).stack}`);
    } finally {
      busy = false;
    }
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
