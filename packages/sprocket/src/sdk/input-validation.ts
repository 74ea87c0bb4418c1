// Eager checks on `Input.*` options. Cog (via pydantic) accepts many contradictory options and
// only fails, if at all, on the first request; we refuse them when predict.ts is imported, with a
// message that names the builder and the option. Contract: throws a plain Error, returns nothing.

import type { InputKind, InputOptions, InputSpec } from "./input.ts";

const COMMON = ["description", "default", "deprecated"] as const;
const ALLOWED: Record<InputKind, readonly string[]> = {
  string: [...COMMON, "min_length", "max_length", "regex", "choices"],
  integer: [...COMMON, "ge", "le", "choices"],
  number: [...COMMON, "ge", "le", "choices"],
  boolean: COMMON,
  secret: COMMON,
  path: COMMON,
  array: COMMON,
};

// Names an author is likely to reach for (JSON Schema or camelCase) mapped to Cog's.
const DID_YOU_MEAN: Record<string, string> = {
  minLength: "min_length",
  maxLength: "max_length",
  pattern: "regex",
  minimum: "ge",
  maximum: "le",
  min: "ge",
  max: "le",
  enum: "choices",
  optional: "default: null",
  nullable: "default: null",
  required: "leaving out default",
};

/** Throws if `options` misuse Cog's `Input(...)` options for this kind of input. */
export function checkInputOptions(kind: InputKind, options: InputOptions, item?: InputSpec): void {
  const where = `Input.${kind}`;
  const fail = (message: string): never => {
    throw new Error(`${where}: ${message}`);
  };
  const o = options as Record<string, unknown>;

  for (const key of Object.keys(o)) {
    if (ALLOWED[kind].includes(key)) continue;
    const hint = DID_YOU_MEAN[key] ? ` (did you mean ${DID_YOU_MEAN[key]}?)` : "";
    fail(`"${key}" is not an option of ${kind} inputs${hint}; allowed: ${ALLOWED[kind].join(", ")}`);
  }
  if (o.description !== undefined && typeof o.description !== "string") fail("description must be a string");
  if (o.deprecated !== undefined && typeof o.deprecated !== "boolean") fail("deprecated must be a boolean");

  for (const key of ["ge", "le"] as const) {
    if (o[key] !== undefined && !Number.isFinite(o[key])) fail(`${key} must be a finite number`);
  }
  if (options.ge !== undefined && options.le !== undefined && options.ge > options.le) {
    fail(`ge (${options.ge}) is greater than le (${options.le}), so no value is allowed`);
  }
  for (const key of ["min_length", "max_length"] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0)) fail(`${key} must be a non-negative integer`);
  }
  if (options.min_length !== undefined && options.max_length !== undefined && options.min_length > options.max_length) {
    fail(`min_length (${options.min_length}) is greater than max_length (${options.max_length})`);
  }
  if (o.regex !== undefined) {
    if (typeof o.regex !== "string") fail("regex must be a string");
    try {
      new RegExp(o.regex as string, "u");
    } catch (err) {
      fail(`regex ${JSON.stringify(o.regex)} does not compile: ${(err as Error).message}`);
    }
  }

  if (o.choices !== undefined) checkChoices(kind, options, fail);
  if (kind === "array") checkItem(item, fail);

  if (options.default !== undefined && options.default !== null) {
    const problem = valueProblem(kind, options, options.default, item);
    if (problem) fail(`default ${JSON.stringify(options.default)} ${problem}`);
  }
}

function checkChoices(kind: InputKind, options: InputOptions, fail: (m: string) => never): void {
  const choices = options.choices as unknown;
  if (!Array.isArray(choices) || choices.length === 0) fail("choices must be a non-empty array");
  for (const c of choices as unknown[]) {
    const problem = typeProblem(kind, c);
    if (problem) fail(`choice ${JSON.stringify(c)} ${problem}`);
  }
  if (new Set(choices as unknown[]).size !== (choices as unknown[]).length) fail("choices contain duplicates");
  // A choices input renders as a reference to an enum; Cog drops any bound placed beside it.
  for (const key of ["ge", "le", "min_length", "max_length", "regex"] as const) {
    if (options[key] !== undefined) fail(`choices cannot be combined with ${key}; list only the allowed values`);
  }
}

function checkItem(item: InputSpec | undefined, fail: (m: string) => never): void {
  if (!item || typeof item !== "object" || !(item.kind in ALLOWED)) {
    fail("the first argument must be an item builder, e.g. Input.array(Input.string())");
  }
  const spec = item as InputSpec;
  if (spec.kind === "array") fail("arrays of arrays are not supported (Cog allows only List[T] of a scalar or file)");
  for (const key of ["default", "description", "deprecated", "choices"] as const) {
    if (spec.options[key] !== undefined) {
      fail(`the item builder cannot take ${key}; give it to Input.array's options instead`);
    }
  }
}

// Why `value` is the wrong JS type for `kind`, or null when it is fine.
function typeProblem(kind: InputKind, value: unknown): string | null {
  switch (kind) {
    case "string":
    case "secret":
    case "path":
      return typeof value === "string" ? null : `is not a string (${kind} input)`;
    case "integer":
      return Number.isInteger(value) ? null : "is not an integer (integer input)";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? null : "is not a finite number (number input)";
    case "boolean":
      return typeof value === "boolean" ? null : "is not a boolean (boolean input)";
    case "array":
      return Array.isArray(value) ? null : "is not an array (array input)";
  }
}

// Why `value` would fail this input's own constraints, or null. Used for defaults, so that a
// default never contradicts the schema the server validates requests against.
function valueProblem(kind: InputKind, options: InputOptions, value: unknown, item?: InputSpec): string | null {
  const typeIssue = typeProblem(kind, value);
  if (typeIssue) return typeIssue;
  if (options.choices && !options.choices.includes(value as string | number)) {
    return `is not among choices ${JSON.stringify(options.choices)}`;
  }
  if (typeof value === "number") {
    if (options.ge !== undefined && value < options.ge) return `is below ge (${options.ge})`;
    if (options.le !== undefined && value > options.le) return `is above le (${options.le})`;
  }
  if (typeof value === "string") {
    // JSON Schema counts code points, not UTF-16 units.
    const length = [...value].length;
    if (options.min_length !== undefined && length < options.min_length) return `is shorter than min_length (${options.min_length})`;
    if (options.max_length !== undefined && length > options.max_length) return `is longer than max_length (${options.max_length})`;
    if (options.regex !== undefined && !new RegExp(options.regex, "u").test(value)) return `does not match regex ${JSON.stringify(options.regex)}`;
  }
  if (kind === "array" && item) {
    for (const [i, element] of (value as unknown[]).entries()) {
      const problem = valueProblem(item.kind, item.options, element);
      if (problem) return `has element ${i} (${JSON.stringify(element)}) that ${problem}`;
    }
  }
  return null;
}
