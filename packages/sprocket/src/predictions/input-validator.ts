import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { isJsonObject, validationError } from "../errors/index.ts";
import type { InvalidField } from "../protocol/api-types.ts";

/**
 * Validates a prediction's `input` against its version's `components.schemas.Input` with Ajv
 * (compiled once per version), applying the schema's defaults. Errors become Replicate's 422 with
 * one `invalid_fields` entry per problem.
 */
export class InputValidator {
  private readonly ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    addFormats.default(this.ajv);
    // Cog marks secrets with format "password"; any string is a valid password.
    this.ajv.addFormat("password", true);
    // File inputs are `format: uri`; a `data:` URI is a URI whatever follows the scheme, so its
    // payload is checked here: a broken one is a 422 at create, not a failed prediction later.
    const uri = this.ajv.formats.uri as (value: string) => boolean;
    this.ajv.addFormat("uri", (value: string) => (value.startsWith("data:") ? isWellFormedDataUri(value) : uri(value)));
  }

  /** Returns a validated copy of `input` with defaults filled in, or throws a 422 AppError. */
  validate(versionId: string, openapiSchema: Record<string, unknown>, input: unknown): Record<string, unknown> {
    if (!isJsonObject(input)) throw validationError([{ type: "invalid_type", field: "input", description: "input must be an object" }]);
    const validate = this.compile(versionId, openapiSchema);
    const copy = structuredClone(input) as Record<string, unknown>;
    if (validate(copy)) return copy;
    const fields = (validate.errors ?? []).filter((e) => e.keyword !== "if").map(toInvalidField);
    const unique = fields.filter((f, i) => fields.findIndex((g) => g.field === f.field && g.description === f.description) === i);
    throw validationError(unique);
  }

  private compile(versionId: string, openapiSchema: Record<string, unknown>): ValidateFunction {
    let validate = this.compiled.get(versionId);
    if (!validate) {
      const components = (openapiSchema.components ?? {}) as Record<string, unknown>;
      validate = this.ajv.compile({ $ref: "#/components/schemas/Input", components });
      this.compiled.set(versionId, validate);
    }
    return validate;
  }
}

/** RFC 2397: `data:[<type>][;param]*[;base64],<data>`, with valid base64 when it says so. */
function isWellFormedDataUri(value: string): boolean {
  const comma = value.indexOf(",");
  if (comma === -1) return false;
  const header = value.slice(5, comma);
  if (!/^([A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+)?(;[^;,]*)*$/.test(header)) return false;
  if (!header.split(";").slice(1).includes("base64")) return true;
  const payload = value.slice(comma + 1);
  return payload.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(payload);
}

function toInvalidField(error: ErrorObject): InvalidField {
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
  const name = path.length ? path.join(".") : "input";
  const field = path.length ? `input.${path.join(".")}` : "input";
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { type: "required", field, description: `${String(p.missingProperty)} is required` };
    case "enum":
      return {
        type: "enum",
        field,
        description: `${name} must be one of the following: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "maximum":
      return { type: "number_lte", field, description: `${name} must be less than or equal to ${p.limit}` };
    case "minimum":
      return { type: "number_gte", field, description: `${name} must be greater than or equal to ${p.limit}` };
    case "maxLength":
      return { type: "string_lte", field, description: `${name} must be at most ${p.limit} characters long` };
    case "minLength":
      return { type: "string_gte", field, description: `${name} must be at least ${p.limit} characters long` };
    case "pattern":
      return { type: "pattern", field, description: `${name} does not match the pattern ${p.pattern}` };
    case "type":
      return { type: "invalid_type", field, description: `${name} must be of type ${p.type}` };
    case "format":
      return { type: "format", field, description: `${name} must be a valid ${p.format}` };
    default:
      return { type: error.keyword, field, description: `${name} ${error.message ?? "is invalid"}` };
  }
}
