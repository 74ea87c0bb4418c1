// The components every Cog OpenAPI document carries whatever the predictor (cog.md §1.3), copied
// from what cog ≤ 0.16 (FastAPI + pydantic) serves. Clients such as Replicate's web form read
// these names, so they are fixed. Built fresh per call: callers may mutate the document.

import type { JsonSchema } from "./output.ts";

/** Names an input with `choices` must not take, since its enum component would overwrite one. */
export const FIXED_COMPONENT_NAMES: readonly string[] = Object.freeze([
  "Input",
  "Output",
  "PredictionRequest",
  "PredictionResponse",
  "Status",
  "WebhookEvent",
  "HTTPValidationError",
  "ValidationError",
]);

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const dateTime = (title: string): JsonSchema => ({ title, type: "string", format: "date-time" });

export function predictionRequestComponent(): JsonSchema {
  return {
    title: "PredictionRequest",
    type: "object",
    properties: {
      input: ref("Input"),
      id: { title: "Id", type: "string" },
      created_at: dateTime("Created At"),
      context: { title: "Context", type: "object", additionalProperties: { type: "string" } },
      output_file_prefix: { title: "Output File Prefix", type: "string" },
      webhook: { title: "Webhook", type: "string", format: "uri", minLength: 1, maxLength: 65536 },
      webhook_events_filter: {
        type: "array",
        items: ref("WebhookEvent"),
        default: ["start", "output", "logs", "completed"],
      },
    },
  };
}

export function predictionResponseComponent(): JsonSchema {
  return {
    title: "PredictionResponse",
    type: "object",
    properties: {
      input: ref("Input"),
      output: ref("Output"),
      id: { title: "Id", type: "string" },
      version: { title: "Version", type: "string" },
      created_at: dateTime("Created At"),
      started_at: dateTime("Started At"),
      completed_at: dateTime("Completed At"),
      logs: { title: "Logs", type: "string", default: "" },
      error: { title: "Error", type: "string" },
      status: ref("Status"),
      metrics: { title: "Metrics", type: "object" },
    },
  };
}

export function statusComponent(): JsonSchema {
  return {
    title: "Status",
    enum: ["starting", "processing", "succeeded", "canceled", "failed"],
    type: "string",
    description: "An enumeration.",
  };
}

export function webhookEventComponent(): JsonSchema {
  return {
    title: "WebhookEvent",
    enum: ["start", "output", "logs", "completed"],
    type: "string",
    description: "An enumeration.",
  };
}

// FastAPI's standard 422 body.
export function httpValidationErrorComponent(): JsonSchema {
  return {
    title: "HTTPValidationError",
    type: "object",
    properties: { detail: { title: "Detail", type: "array", items: ref("ValidationError") } },
  };
}

export function validationErrorComponent(): JsonSchema {
  return {
    title: "ValidationError",
    type: "object",
    required: ["loc", "msg", "type"],
    properties: {
      loc: { title: "Location", type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } },
      msg: { title: "Message", type: "string" },
      type: { title: "Error Type", type: "string" },
    },
  };
}
