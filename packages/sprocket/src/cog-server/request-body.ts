// Cog's `PredictionRequest` (docs/cog.md §2.2), checked the way its pydantic model checks it, so
// a bad request gets the same FastAPI-style 422 a Cog container gives.
import { isJsonObject, validationError } from "../errors/index.ts";
import type { InvalidField } from "../protocol/api-types.ts";
import { WEBHOOK_EVENTS, type WebhookEvent } from "./webhook-sender.ts";

export interface PredictionRequest {
  id: string | null;
  /** `{}` when the body or its `input` is missing or null (Cog's [compat] rule). */
  input: Record<string, unknown>;
  webhook: string | null;
  webhookEventsFilter: WebhookEvent[];
  createdAt: string | null;
}

/** Field problems are collected and thrown together as one 422 (fields: `id`, `input`, …). */
export function parsePredictionRequest(body: unknown): PredictionRequest {
  const request: PredictionRequest = { id: null, input: {}, webhook: null, webhookEventsFilter: [...WEBHOOK_EVENTS], createdAt: null };
  if (body === undefined || body === null) return request;
  if (!isJsonObject(body)) throw validationError([{ field: "", type: "type_error.dict", description: "value is not a valid dict" }]);
  const problems: InvalidField[] = [];

  if (typeof body.id === "string" || typeof body.id === "number") request.id = String(body.id);
  else if (body.id !== undefined && body.id !== null) problems.push({ field: "id", type: "type_error.str", description: "str type expected" });

  if (isJsonObject(body.input)) request.input = body.input;
  else if (body.input !== undefined && body.input !== null) problems.push({ field: "input", type: "type_error.dict", description: "value is not a valid dict" });

  if (typeof body.webhook === "string" && isHttpUrl(body.webhook)) request.webhook = body.webhook;
  else if (body.webhook !== undefined && body.webhook !== null) {
    problems.push({ field: "webhook", type: "value_error.url.scheme", description: "invalid or missing URL scheme" });
  }

  const filter = body.webhook_events_filter;
  if (Array.isArray(filter)) {
    filter.forEach((event, index) => {
      if (!WEBHOOK_EVENTS.includes(event as WebhookEvent)) {
        problems.push({
          field: `webhook_events_filter.${index}`,
          type: "type_error.enum",
          description: `value is not a valid enumeration member; permitted: ${WEBHOOK_EVENTS.map((e) => `'${e}'`).join(", ")}`,
        });
      }
    });
    request.webhookEventsFilter = filter as WebhookEvent[];
  } else if (filter !== undefined && filter !== null) {
    problems.push({ field: "webhook_events_filter", type: "type_error.list", description: "value is not a valid list" });
  }

  if (typeof body.created_at === "string") request.createdAt = body.created_at;
  if (problems.length > 0) throw validationError(problems);
  return request;
}

function isHttpUrl(text: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** One entry of FastAPI's 422 `detail`. */
export interface FastApiError {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/**
 * `invalid_fields` (from this file or from the InputValidator) in FastAPI's shape:
 * `{"loc":["body","input","n"],"msg":"value is not a valid integer","type":"type_error.integer"}`.
 * The InputValidator's own types become pydantic v1's; types already in pydantic's form pass.
 */
export function toFastApiErrors(fields: InvalidField[]): FastApiError[] {
  return fields.map((field) => {
    const loc: (string | number)[] = ["body", ...(field.field ? field.field.split(".") : []).map((part) => (/^\d+$/.test(part) ? Number(part) : part))];
    const text = field.description;
    const after = (marker: string) => text.slice(text.indexOf(marker) + marker.length);
    switch (field.type) {
      case "required":
        return { loc: [...loc, text.replace(/ is required$/, "")], msg: "field required", type: "value_error.missing" };
      case "invalid_type":
        return { loc, ...PYDANTIC_TYPE_ERRORS[after("must be of type ").split(",")[0]] ?? { msg: text, type: "type_error" } };
      case "enum":
        return { loc, msg: `value is not a valid enumeration member; permitted: ${after("one of the following: ").replace(/"/g, "'")}`, type: "type_error.enum" };
      case "number_gte":
        return { loc, msg: `ensure this value is greater than or equal to ${after("greater than or equal to ")}`, type: "value_error.number.not_ge" };
      case "number_lte":
        return { loc, msg: `ensure this value is less than or equal to ${after("less than or equal to ")}`, type: "value_error.number.not_le" };
      case "string_gte":
        return { loc, msg: `ensure this value has at least ${after("at least ").replace(/ long$/, "")}`, type: "value_error.any_str.min_length" };
      case "string_lte":
        return { loc, msg: `ensure this value has at most ${after("at most ").replace(/ long$/, "")}`, type: "value_error.any_str.max_length" };
      case "pattern":
        return { loc, msg: `string does not match regex "${after("the pattern ")}"`, type: "value_error.str.regex" };
      case "format":
        return text.endsWith("valid uri")
          ? { loc, msg: "invalid or missing URL scheme", type: "value_error.url.scheme" }
          : { loc, msg: text, type: "value_error" };
      default:
        return { loc, msg: text, type: field.type.includes("_error") ? field.type : "value_error" };
    }
  });
}

const PYDANTIC_TYPE_ERRORS: Record<string, { msg: string; type: string }> = {
  integer: { msg: "value is not a valid integer", type: "type_error.integer" },
  number: { msg: "value is not a valid float", type: "type_error.float" },
  string: { msg: "str type expected", type: "type_error.str" },
  boolean: { msg: "value could not be parsed to a boolean", type: "type_error.bool" },
  array: { msg: "value is not a valid list", type: "type_error.list" },
  object: { msg: "value is not a valid dict", type: "type_error.dict" },
};
