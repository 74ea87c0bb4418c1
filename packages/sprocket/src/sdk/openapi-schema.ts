// The whole OpenAPI document of a TS predictor, in the shape Cog generates (cog.md §1.3, §3.5),
// so that Replicate's clients, web form and `cog`-aware tools read a Sprocket model exactly as a
// Cog one. Every `$ref` in it points inside it (`#/components/schemas/...`).

import {
  httpValidationErrorComponent,
  predictionRequestComponent,
  predictionResponseComponent,
  statusComponent,
  validationErrorComponent,
  webhookEventComponent,
} from "./cog-components.ts";
import { cogPaths } from "./cog-paths.ts";
import { renderInputComponents } from "./input-schema.ts";
import type { JsonSchema } from "./output.ts";
import type { PredictorDefinition } from "./predictor.ts";

/**
 * Keys in these schemas that JSON Schema does not define: Cog's `x-*` extensions, and the
 * OpenAPI document's own top-level keys (the `components` that `$ref`s point into included).
 * A strict validator must be told about them, e.g. with ajv:
 * `ajv.addVocabulary(COG_SCHEMA_KEYWORDS)`, ajv-formats for `uri`/`date-time`, and
 * `ajv.addFormat("password", true)`; or use `new Ajv({ strict: false })`.
 * OpenAPI's `nullable` needs nothing: ajv understands it.
 */
export const COG_SCHEMA_KEYWORDS: readonly string[] = Object.freeze([
  "x-order",
  "x-cog-secret",
  "x-cog-array-type",
  "x-cog-array-display",
  "openapi",
  "info",
  "paths",
  "components",
]);

export interface OpenApiDocument {
  openapi: "3.0.2";
  info: { title: "Cog"; version: "0.1.0" };
  paths: JsonSchema;
  components: { schemas: Record<string, JsonSchema> };
}

export function buildOpenApiSchema(definition: PredictorDefinition): OpenApiDocument {
  const { input, enums } = renderInputComponents(definition.inputs);
  return {
    openapi: "3.0.2",
    info: { title: "Cog", version: "0.1.0" },
    paths: cogPaths(),
    components: {
      schemas: {
        Input: input,
        Output: outputComponent(definition),
        PredictionRequest: predictionRequestComponent(),
        PredictionResponse: predictionResponseComponent(),
        Status: statusComponent(),
        WebhookEvent: webhookEventComponent(),
        HTTPValidationError: httpValidationErrorComponent(),
        ValidationError: validationErrorComponent(),
        ...enums,
      },
    },
  };
}

/**
 * A standalone JSON Schema for a prediction's `input` object: the `Input` component, with the
 * enum components it references carried under `components.schemas` so that its
 * `#/components/schemas/<name>` references resolve inside it. See COG_SCHEMA_KEYWORDS for
 * compiling it with ajv. Alternatively add the whole document under a name and validate against
 * `<name>#/components/schemas/Input`: the references resolve the same way.
 */
export function inputSchemaFor(definition: PredictorDefinition): JsonSchema {
  const { input, enums } = renderInputComponents(definition.inputs);
  return Object.keys(enums).length > 0 ? { ...input, components: { schemas: enums } } : input;
}

// Cog's `Output` component: the return type's schema, titled "Output"; no return type is `Any`.
function outputComponent(definition: PredictorDefinition): JsonSchema {
  return { title: "Output", ...structuredClone(definition.output?.schema ?? {}) };
}
