// Predictions on the model, Cog's way (docs/cog.md §2.2–2.7): never queued (beyond the model's
// concurrency the answer is 409), tracked only while in flight (Cog has no GET for a
// prediction), cancelable by the client's id, reported through webhooks and, with
// `--upload-url`, with file outputs uploaded.
import { randomUUID } from "node:crypto";
import { AppError } from "../errors/index.ts";
import type { InputValidator } from "../predictions/input-validator.ts";
import { maskSecrets, redactSecrets, secretInputNames } from "../predictions/secrets.ts";
import type { RunCallbacks } from "../worker/instance.ts";
import type { ModelHost } from "./model-host.ts";
import { uploadOutputFiles } from "./output-upload.ts";
import { PredictionState } from "./prediction-state.ts";
import type { PredictionRequest } from "./request-body.ts";
import { WebhookSender, type WebhookEvent, type WebhookOptions } from "./webhook-sender.ts";

export interface PredictionsOptions {
  host: ModelHost;
  validator: InputValidator;
  cancelGraceMs: number;
  uploadUrl: string | null;
  userAgent: string;
  webhooks: Omit<WebhookOptions, "traceHeaders" | "userAgent">;
}

export interface InFlight {
  state: PredictionState;
  /** Resolves when the prediction has ended and left the in-flight set. */
  finished: Promise<void>;
}

/** Cog's words for a prediction it cannot take (0.16). */
export const BUSY_DETAIL = "Already running a prediction";
const UPLOAD_ERROR = "Cog: Got error trying to upload output files";
/** The schema is compiled once; this is its key in the validator's cache. */
const SCHEMA_KEY = "serve-model";

export class Predictions {
  /** By the run id the instance knows: the client's id, or one made up when it gave none. */
  private readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly o: PredictionsOptions) {}

  get busy(): boolean {
    return this.inFlight.size >= this.o.host.capacity;
  }

  find(id: string): InFlight | undefined {
    return this.inFlight.get(id);
  }

  /**
   * The validated input, with the schema's defaults. Keys the schema does not declare are dropped
   * first, as Cog drops them, unless the schema takes any keys (`**kwargs`). Throws a 422.
   */
  validateInput(raw: Record<string, unknown>): Record<string, unknown> {
    const schema = this.o.host.schema!;
    const inputSchema = ((schema.components as Record<string, unknown>)?.schemas as Record<string, Record<string, unknown>> | undefined)?.Input ?? {};
    const declared = (inputSchema.properties ?? {}) as Record<string, unknown>;
    const known = inputSchema.additionalProperties ? raw : Object.fromEntries(Object.entries(raw).filter(([key]) => key in declared));
    return this.o.validator.validate(SCHEMA_KEY, schema, known);
  }

  /** Starts a prediction; the caller has checked that there is room and the model is ready. */
  start(request: PredictionRequest, input: Record<string, unknown>, traceHeaders: Record<string, string>): InFlight {
    const { host, uploadUrl, userAgent } = this.o;
    const instance = host.instance!;
    const runId = request.id ?? `pred_${randomUUID().replace(/-/g, "")}`;
    if (this.inFlight.has(runId)) throw new AppError("conflict", BUSY_DETAIL);
    const secrets = redactSecrets(input, secretInputNames(host.schema!));
    const state = new PredictionState(request.id, secrets.shown, request.createdAt, isIteratorOutput(host.schema!));
    const webhook = request.webhook
      ? new WebhookSender(request.webhook, new Set(request.webhookEventsFilter), { ...this.o.webhooks, userAgent, traceHeaders })
      : null;
    const notify = (event: WebhookEvent) => webhook?.notify(event, state.toWebhookBody());
    const uploadOptions = uploadUrl ? { uploadUrl, predictionId: request.id, userAgent } : null;

    // Streamed items are uploaded one after another, in order, as they come; the first upload
    // error fails the prediction once it ends.
    let uploads: Promise<void> = Promise.resolve();
    let uploadError: Error | null = null;
    let streamed = 0;
    const append = (item: unknown) => {
      state.output = [...(Array.isArray(state.output) ? state.output : []), item];
      notify("output");
    };
    const callbacks: RunCallbacks = {
      onLog: (data) => {
        state.logs += maskSecrets(data, secrets.values);
        notify("logs");
      },
      onOutput: (item) => {
        streamed++;
        if (!uploadOptions) return append(item);
        uploads = uploads
          .then(async () => append(await uploadOutputFiles(item, uploadOptions)))
          .catch((error: Error) => void (uploadError ??= error));
      },
      onMetric: (name, value) => state.recordMetric(name, value),
    };

    notify("start");
    const finished = instance.run(runId, input, callbacks).then(async (result) => {
      await uploads;
      if (result.status === "succeeded" && streamed === 0) {
        try {
          state.output = uploadOptions ? await uploadOutputFiles(result.output, uploadOptions) : result.output;
        } catch (error) {
          uploadError = error as Error;
        }
      }
      if (result.status === "succeeded" && uploadError) {
        state.logs += `${uploadError.message}\n`;
        state.finish("failed", UPLOAD_ERROR);
      } else if (result.status === "failed") {
        state.finish("failed", result.error);
      } else {
        state.finish(result.status);
      }
      // Out of the in-flight set before anyone hears of the end, so the next request has room.
      this.inFlight.delete(runId);
      host.ended(runId);
      notify("completed");
    });
    const entry = { state, finished };
    this.inFlight.set(runId, entry);
    return entry;
  }

  /** Asks the prediction with the client's `id` to stop; false when none is in flight. */
  cancel(id: string): boolean {
    if (!this.inFlight.has(id)) return false;
    this.o.host.cancel(id, this.o.cancelGraceMs);
    return true;
  }
}

/** Iterator outputs (`x-cog-array-type: iterator`) are a list from the start, as in Cog. */
function isIteratorOutput(schema: Record<string, unknown>): boolean {
  const schemas = (schema.components as Record<string, unknown> | undefined)?.schemas as Record<string, Record<string, unknown>> | undefined;
  return schemas?.Output?.["x-cog-array-type"] === "iterator";
}
