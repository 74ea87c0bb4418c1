// A version's openapi_schema → the fields of its Run form. Cog (and Sprocket's SDK) put the inputs
// in components.schemas.Input: each property has a title, a type, maybe a default, a description,
// constraints, and `x-order` (declaration order). Choices are an enum component referenced through
// `allOf: [{$ref}]`; files are `format: uri`; secrets `format: password` / `x-cog-secret`.

export type FieldKind =
  | "text" // a string
  | "textarea" // a long string (no maxLength under 200, or a name that says prompt/text)
  | "integer"
  | "number"
  | "slider" // a number or integer with both minimum and maximum
  | "boolean"
  | "select" // enum
  | "file" // format uri: uploaded through the Files API
  | "files" // an array of files
  | "secret" // format password / x-cog-secret
  | "list" // an array of strings or numbers, one per line
  | "json"; // anything else: raw JSON

export interface Field {
  name: string;
  title: string;
  kind: FieldKind;
  description?: string;
  required: boolean;
  default?: unknown;
  choices?: (string | number)[];
  minimum?: number;
  maximum?: number;
  step?: number;
  /** For a list: the item type its lines are parsed as. */
  itemType?: "string" | "integer" | "number";
  order: number;
}

type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

/** `#/components/schemas/Name` → that schema in the document; anything else → undefined. */
function resolveRef(doc: Schema, ref: unknown): Schema | undefined {
  if (typeof ref !== "string" || !ref.startsWith("#/")) return undefined;
  let node: unknown = doc;
  for (const part of ref.slice(2).split("/")) node = isObject(node) ? node[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  return isObject(node) ? node : undefined;
}

/** A property with its `$ref` / `allOf` / `anyOf` parts folded in (the property's own keys win). */
function flatten(doc: Schema, property: Schema, depth = 0): Schema {
  if (depth > 8) return property;
  let merged: Schema = {};
  const parts: unknown[] = [];
  if (property.$ref) parts.push({ $ref: property.$ref });
  if (Array.isArray(property.allOf)) parts.push(...property.allOf);
  // Pydantic 2 writes Optional[X] as anyOf [X, null]: take the non-null branch.
  if (Array.isArray(property.anyOf)) {
    const branch = property.anyOf.find((b) => isObject(b) && b.type !== "null");
    if (branch) parts.push(branch);
  }
  for (const part of parts) {
    if (!isObject(part)) continue;
    const target = part.$ref ? resolveRef(doc, part.$ref) : part;
    if (target) merged = { ...merged, ...flatten(doc, target, depth + 1) };
  }
  const own = { ...property };
  delete own.$ref;
  delete own.allOf;
  delete own.anyOf;
  return { ...merged, ...own };
}

/** The schema of the version's inputs, or null when the document has none. */
export function inputSchema(openapi: unknown): Schema | null {
  if (!isObject(openapi)) return null;
  const components = openapi.components;
  const input = isObject(components) && isObject(components.schemas) ? components.schemas.Input : undefined;
  return isObject(input) ? input : null;
}

function kindOf(name: string, schema: Schema): FieldKind {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return "select";
  if (schema.format === "password" || schema["x-cog-secret"] === true) return "secret";
  const type = schema.type;
  if (type === "string") {
    if (schema.format === "uri") return "file";
    const long = typeof schema.maxLength !== "number" || schema.maxLength > 200;
    return long && /prompt|text|description|caption|message|context/i.test(name) ? "textarea" : "text";
  }
  if (type === "integer" || type === "number") {
    const num = (key: string) => typeof schema[key] === "number";
    return (num("minimum") || num("exclusiveMinimum")) && (num("maximum") || num("exclusiveMaximum")) ? "slider" : type;
  }
  if (type === "boolean") return "boolean";
  if (type === "array" && isObject(schema.items)) {
    const items = schema.items;
    if (items.type === "string" && items.format === "uri") return "files";
    if (["string", "integer", "number"].includes(items.type as string) && !items.enum && items.format !== "password") return "list";
  }
  return "json";
}

/** The version's input fields in `x-order` order (properties without one keep document order, after). */
export function inputFields(openapi: unknown): Field[] {
  const input = inputSchema(openapi);
  if (!input || !isObject(input.properties)) return [];
  const doc = openapi as Schema;
  const required = new Set(Array.isArray(input.required) ? (input.required as string[]) : []);
  const fields = Object.entries(input.properties).map(([name, raw], index): Field => {
    const own = isObject(raw) ? raw : {};
    const schema = flatten(doc, own);
    const kind = kindOf(name, schema);
    const field: Field = {
      name,
      // An enum's component is titled with the input's raw name; the property's own title, or a
      // title made from its name as Cog makes them ("output_format" → "Output Format"), reads better.
      title: typeof own.title === "string" && own.title ? own.title : titleOf(name),
      kind,
      required: required.has(name),
      order: typeof schema["x-order"] === "number" ? schema["x-order"] : Number.MAX_SAFE_INTEGER - 1000 + index,
    };
    if (typeof schema.description === "string") field.description = schema.description;
    if ("default" in schema) field.default = schema.default;
    if (kind === "select") field.choices = (schema.enum as unknown[]).filter((c): c is string | number => typeof c === "string" || typeof c === "number");
    const bound = (key: string, exclusive: string, delta: number) =>
      typeof schema[key] === "number" ? (schema[key] as number) : typeof schema[exclusive] === "number" ? (schema[exclusive] as number) + delta : undefined;
    const integer = schema.type === "integer";
    field.minimum = bound("minimum", "exclusiveMinimum", integer ? 1 : 0);
    field.maximum = bound("maximum", "exclusiveMaximum", integer ? -1 : 0);
    if (field.minimum === undefined) delete field.minimum;
    if (field.maximum === undefined) delete field.maximum;
    if (kind === "slider" || kind === "integer" || kind === "number") field.step = integer ? 1 : stepFor(field.minimum, field.maximum);
    if (kind === "list") field.itemType = (schema.items as Schema).type as Field["itemType"];
    return field;
  });
  return fields.sort((a, b) => a.order - b.order);
}

function titleOf(name: string): string {
  return name.split("_").filter(Boolean).map((word) => word[0].toUpperCase() + word.slice(1)).join(" ");
}

/** A slider step that gives about a hundred positions, rounded to a power of ten (0.01 for 0..1). */
function stepFor(min?: number, max?: number): number {
  if (min === undefined || max === undefined || max <= min) return 0.01;
  return Math.pow(10, Math.floor(Math.log10((max - min) / 100)));
}

/** Whether the model's output streams as one text (Cog's ConcatenateIterator / concatenate: true). */
export function outputDisplay(openapi: unknown): { iterator: boolean; concatenate: boolean } {
  const components = isObject(openapi) ? openapi.components : undefined;
  const output = isObject(components) && isObject(components.schemas) ? components.schemas.Output : undefined;
  if (!isObject(output)) return { iterator: false, concatenate: false };
  return { iterator: output["x-cog-array-type"] === "iterator", concatenate: output["x-cog-array-display"] === "concatenate" };
}
