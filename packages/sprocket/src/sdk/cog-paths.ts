// The `paths` object of a Cog OpenAPI document (cog.md §1.3): the in-container routes with the
// summaries, operationIds and response titles FastAPI derives from Cog's Python handler names.
// Tools that diff a Sprocket document against a Cog one compare these verbatim.

import type { JsonSchema } from "./output.ts";

const json = (schema: JsonSchema): JsonSchema => ({ "application/json": { schema } });
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

// FastAPI titles an unannotated handler's response "Response <Summary> <Path words> <Method>".
const untypedOk = (title: string): JsonSchema => ({
  "200": { description: "Successful Response", content: json({ title }) },
});

const predictionResponses = (): JsonSchema => ({
  "200": { description: "Successful Response", content: json(ref("PredictionResponse")) },
  "422": { description: "Validation Error", content: json(ref("HTTPValidationError")) },
});

const preferHeader = (): JsonSchema => ({
  in: "header",
  name: "prefer",
  required: false,
  schema: { title: "Prefer", type: "string" },
});

const predictionIdParam = (): JsonSchema => ({
  in: "path",
  name: "prediction_id",
  required: true,
  schema: { title: "Prediction ID", type: "string" },
});

export function cogPaths(): JsonSchema {
  return {
    "/": {
      get: { summary: "Root", operationId: "root__get", responses: untypedOk("Response Root  Get") },
    },
    "/health-check": {
      get: {
        summary: "Healthcheck",
        operationId: "healthcheck_health_check_get",
        responses: untypedOk("Response Healthcheck Health Check Get"),
      },
    },
    "/predictions": {
      post: {
        summary: "Predict",
        description: "Run a single prediction on the model",
        operationId: "predict_predictions_post",
        parameters: [preferHeader()],
        requestBody: { content: json(ref("PredictionRequest")) },
        responses: predictionResponses(),
      },
    },
    "/predictions/{prediction_id}": {
      put: {
        summary: "Predict Idempotent",
        description: "Run a single prediction on the model (idempotent creation).",
        operationId: "predict_idempotent_predictions__prediction_id__put",
        parameters: [predictionIdParam(), preferHeader()],
        requestBody: {
          required: true,
          content: json({ title: "Prediction Request", allOf: [ref("PredictionRequest")] }),
        },
        responses: predictionResponses(),
      },
    },
    "/predictions/{prediction_id}/cancel": {
      post: {
        summary: "Cancel",
        description: "Cancel a running prediction",
        operationId: "cancel_predictions__prediction_id__cancel_post",
        parameters: [predictionIdParam()],
        responses: {
          ...untypedOk("Response Cancel Predictions  Prediction Id  Cancel Post"),
          "422": { description: "Validation Error", content: json(ref("HTTPValidationError")) },
        },
      },
    },
    "/shutdown": {
      post: {
        summary: "Start Shutdown",
        operationId: "start_shutdown_shutdown_post",
        responses: untypedOk("Response Start Shutdown Shutdown Post"),
      },
    },
  };
}
