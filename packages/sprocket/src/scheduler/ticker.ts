import type { ModelService } from "../models/model-service.ts";
import type { PredictionService } from "../predictions/prediction-service.ts";

/** Once a second: cancel overdue predictions, write running predictions' logs and run counts. */
export function startTicker(predictions: PredictionService, models: ModelService, log: (message: string) => void): () => void {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      for (const id of predictions.overdue(Date.now())) await predictions.cancelForDeadline(id);
      await predictions.flushLogs();
      await models.flushRunCounts();
    } catch (error) {
      log(`scheduler tick failed: ${(error as Error).stack}`);
    } finally {
      busy = false;
    }
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
