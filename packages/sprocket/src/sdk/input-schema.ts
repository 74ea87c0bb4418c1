// Renders declared inputs as Cog's `Input` component (cog.md §1.3, §3.5): one titled property per
// input with `x-order`, `required` = inputs without a default, and one enum component per input
// that has `choices`, named after the input, which the property reaches through
// `allOf: [{ $ref: "#/components/schemas/<name>" }]`. Numbers render as JS prints them, which is
// pydantic v2's rendering (`ge: 1` → `minimum: 1`), the one Replicate's production images show.

import type { InputSpec } from "./input.ts";
import type { JsonSchema } from "./output.ts";
import { pythonTitle } from "./title.ts";

export interface InputComponents {
  /** The `Input` component. */
  input: JsonSchema;
  /** Enum components by name (the input's name), in declaration order. */
  enums: Record<string, JsonSchema>;
}

export function renderInputComponents(inputs: Readonly<Record<string, InputSpec>>): InputComponents {
  const properties: JsonSchema = {};
  const required: string[] = [];
  const enums: Record<string, JsonSchema> = {};

  for (const [order, [name, spec]] of Object.entries(inputs).entries()) {
    const o = spec.options;
    if (o.default === undefined) required.push(name);

    if (o.choices) {
      enums[name] = {
        title: name,
        description: "An enumeration.",
        enum: [...o.choices],
        type: spec.kind === "string" ? "string" : spec.kind === "integer" ? "integer" : "number",
      };
      // No `nullable` here even with `default: null`: OpenAPI's nullable needs a sibling `type`
      // (ajv refuses it otherwise), and Cog emits none on an enum reference either.
      properties[name] = {
        allOf: [{ $ref: `#/components/schemas/${name}` }],
        ...annotations(spec),
        "x-order": order,
      };
      continue;
    }

    properties[name] = {
      title: pythonTitle(name),
      ...valueSchema(spec),
      // Cog marks `Optional[T]` nullable; a TS input is optional only through `default: null`,
      // so that is what marks it, and validators then accept an explicit null.
      ...(o.default === null ? { nullable: true } : {}),
      ...annotations(spec),
      "x-order": order,
    };
  }

  const input: JsonSchema = { title: "Input", type: "object", properties };
  // pydantic leaves out an empty `required`.
  if (required.length > 0) input.required = required;
  return { input, enums };
}

// The type part of a schema, shared by a property and an array's `items`.
function valueSchema(spec: InputSpec): JsonSchema {
  const o = spec.options;
  const schema: JsonSchema = {};
  switch (spec.kind) {
    case "string":
    case "integer":
    case "number":
    case "boolean":
      schema.type = spec.kind;
      break;
    case "path":
      Object.assign(schema, { type: "string", format: "uri" });
      break;
    case "secret":
      Object.assign(schema, { type: "string", format: "password", "x-cog-secret": true });
      break;
    case "array":
      Object.assign(schema, { type: "array", items: valueSchema(spec.item as InputSpec) });
      break;
  }
  if (o.ge !== undefined) schema.minimum = o.ge;
  if (o.le !== undefined) schema.maximum = o.le;
  if (o.min_length !== undefined) schema.minLength = o.min_length;
  if (o.max_length !== undefined) schema.maxLength = o.max_length;
  if (o.regex !== undefined) schema.pattern = o.regex;
  return schema;
}

// Keys that describe rather than constrain. pydantic omits `default: None`.
function annotations(spec: InputSpec): JsonSchema {
  const o = spec.options;
  const out: JsonSchema = {};
  if (o.description !== undefined) out.description = o.description;
  if (o.default !== undefined && o.default !== null) out.default = structuredClone(o.default);
  if (o.deprecated) out.deprecated = true;
  return out;
}
