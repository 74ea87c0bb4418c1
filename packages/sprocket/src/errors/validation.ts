import type { InvalidField } from "../protocol/api-types.ts";
import { AppError } from "./app-error.ts";

/**
 * A 422 in Replicate's shape: `detail` lists one `- field: description` line per problem (the
 * field left out when it is the body itself), and `invalid_fields` carries them structured.
 */
export function validationError(fields: InvalidField[]): AppError {
  const detail = fields.map((f) => `- ${f.field ? `${f.field}: ` : ""}${f.description}\n`).join("");
  return new AppError("validation_failed", detail, { invalidFields: fields });
}

/** A plain JSON object (not an array, a Buffer or a string). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
