// The `sprocket` package's public entry: what a TS predictor author imports, plus what the
// runner and server need to read a predictor (brand check, OpenAPI document, defaults).
// Contract: imports nothing from the rest of Sprocket and no `node:` module.

export { Input } from "./input.ts";
export type {
  ArrayOptions,
  BooleanOptions,
  InputKind,
  InputOptions,
  InputSpec,
  InputValue,
  IntegerOptions,
  NumberOptions,
  PathOptions,
  SecretOptions,
  StringOptions,
} from "./input.ts";
export { Output, isOutputSpec } from "./output.ts";
export type { IteratorOutputSpec, JsonSchema, OutputKind, OutputSpec, OutputValue } from "./output.ts";
export { PREDICTOR_BRAND, definePredictor, isPredictorDefinition } from "./predictor.ts";
export type {
  InputShape,
  SetupContext,
  PredictContext,
  PredictInputs,
  PredictorConfig,
  PredictorDefinition,
  PredictResult,
} from "./predictor.ts";
export { COG_SCHEMA_KEYWORDS, buildOpenApiSchema, inputSchemaFor } from "./openapi-schema.ts";
export type { OpenApiDocument } from "./openapi-schema.ts";
export { withInputDefaults } from "./input-defaults.ts";
