// `Output.*` builders: what predict returns, rendered the way Cog renders a return annotation.
// Each builder computes its JSON Schema at once (an output has no name-dependent parts); the
// document adds `title: "Output"` on top (openapi-schema.ts). Types flow to predict's return.

import { pythonTitle } from "./title.ts";

// Phantom key: the run-time value type, present only in the type system.
declare const valueType: unique symbol;

export type OutputKind = "string" | "integer" | "number" | "boolean" | "any" | "path" | "array" | "object" | "iterator";

export type JsonSchema = { [key: string]: unknown };

export interface OutputSpec<T = unknown> {
  readonly kind: OutputKind;
  /** The untitled JSON Schema of this value, in Cog's shape. */
  readonly schema: Readonly<JsonSchema>;
  readonly [valueType]?: T;
}

/** An iterator output: predict yields items one by one; the prediction's output is their list. */
export interface IteratorOutputSpec<T = unknown> extends OutputSpec<T[]> {
  readonly kind: "iterator";
  readonly item: OutputSpec<T>;
  readonly concatenate: boolean;
}

export type OutputValue<S> = S extends OutputSpec<infer T> ? T : never;
export type IteratorItem<S> = S extends IteratorOutputSpec<infer T> ? T : never;

type ObjectValue<F extends Record<string, OutputSpec>> = { [K in keyof F]: OutputValue<F[K]> };

function make<T>(kind: OutputKind, schema: JsonSchema): OutputSpec<T> {
  return Object.freeze({ kind, schema: deepFreeze(schema) }) as OutputSpec<T>;
}

function assertSpec(value: unknown, where: string): asserts value is OutputSpec {
  if (!isOutputSpec(value)) {
    throw new Error(`${where}: expected an Output builder such as Output.string(), got ${String(value)}`);
  }
}

export const Output = Object.freeze({
  string: (): OutputSpec<string> => make("string", { type: "string" }),
  integer: (): OutputSpec<number> => make("integer", { type: "integer" }),
  number: (): OutputSpec<number> => make("number", { type: "number" }),
  boolean: (): OutputSpec<boolean> => make("boolean", { type: "boolean" }),
  /** Cog's `-> Any`: no type constraint at all. */
  any: (): OutputSpec<unknown> => make("any", {}),
  /** A file: predict returns a local path; the server uploads it and returns a URL. */
  path: (): OutputSpec<string> => make("path", { type: "string", format: "uri" }),

  array<S extends OutputSpec>(item: S): OutputSpec<OutputValue<S>[]> {
    assertSpec(item, "Output.array");
    if (item.kind === "iterator") throw new Error("Output.array: an iterator cannot be an array element");
    return make("array", { type: "array", items: item.schema });
  },

  /**
   * Cog's `class Output(BaseModel)`: an object inlined into the Output component, every field
   * required, each titled from its key.
   */
  object<F extends Record<string, OutputSpec>>(fields: F): OutputSpec<ObjectValue<F>> {
    if (!fields || typeof fields !== "object" || Array.isArray(fields)) {
      throw new Error("Output.object: expected an object of Output builders, e.g. { text: Output.string() }");
    }
    const properties: JsonSchema = {};
    for (const [key, spec] of Object.entries(fields)) {
      assertSpec(spec, `Output.object field "${key}"`);
      if (spec.kind === "iterator") throw new Error(`Output.object field "${key}": an iterator cannot be a field`);
      properties[key] = { title: pythonTitle(key), ...spec.schema };
    }
    const schema: JsonSchema = { type: "object", properties };
    const required = Object.keys(fields);
    if (required.length > 0) schema.required = required;
    return make("object", schema);
  },

  /**
   * Cog's `Iterator[T]` (or `ConcatenateIterator[str]` with `concatenate: true`, which tells
   * clients to join the items into one text). Only valid as the whole output.
   */
  iterator<T>(item: OutputSpec<T>, options: { concatenate?: boolean } = {}): IteratorOutputSpec<T> {
    assertSpec(item, "Output.iterator");
    if (item.kind === "iterator") throw new Error("Output.iterator: iterators cannot be nested");
    for (const key of Object.keys(options)) {
      if (key !== "concatenate") throw new Error(`Output.iterator: "${key}" is not an option; allowed: concatenate`);
    }
    const concatenate = options.concatenate ?? false;
    if (typeof concatenate !== "boolean") throw new Error("Output.iterator: concatenate must be a boolean");
    if (concatenate && item.kind !== "string") {
      throw new Error("Output.iterator: concatenate needs string items (Cog's ConcatenateIterator[str])");
    }
    const schema: JsonSchema = { type: "array", items: item.schema, "x-cog-array-type": "iterator" };
    if (concatenate) schema["x-cog-array-display"] = "concatenate";
    return Object.freeze({ kind: "iterator", schema: deepFreeze(schema), item, concatenate }) as IteratorOutputSpec<T>;
  },
});

export function isOutputSpec(value: unknown): value is OutputSpec {
  const spec = value as OutputSpec | null;
  return !!spec && typeof spec === "object" && typeof spec.kind === "string" && typeof spec.schema === "object";
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
