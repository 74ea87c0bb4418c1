// Every error Sprocket can answer with: a stable code, its HTTP status and Replicate's title.
// docs/errors.md documents each one (kept in sync by catalogue.test.ts).

export const ERROR_CATALOGUE = {
  unauthenticated: { status: 401, title: "Unauthenticated" },
  invalid_token: { status: 401, title: "Unauthenticated" },
  token_expired: { status: 401, title: "Unauthenticated" },
  forbidden: { status: 403, title: "Forbidden" },
  insufficient_scope: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  idempotency_key_in_use: { status: 409, title: "Conflict" },
  idempotency_key_reused: { status: 422, title: "Idempotency key reused" },
  malformed_json: { status: 400, title: "Malformed request body" },
  bad_request: { status: 400, title: "Bad request" },
  body_too_large: { status: 413, title: "Request body too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  validation_failed: { status: 422, title: "Input validation failed" },
  invalid_version: { status: 422, title: "Invalid version or not permitted" },
  invalid_model: { status: 422, title: "Invalid model" },
  model_has_versions: { status: 409, title: "Model has versions" },
  rate_limited: { status: 429, title: "Request was throttled" },
  internal: { status: 500, title: "Internal server error" },
  unavailable: { status: 503, title: "Service unavailable" },
  // Not HTTP answers: reasons a prediction ends `failed`, stored in its `error` text.
  model_crashed: { status: 500, title: "The model's process exited" },
  model_setup_failed: { status: 500, title: "The model's setup failed" },
  prediction_timed_out: { status: 500, title: "Prediction timed out" },
  prediction_interrupted: { status: 500, title: "Prediction interrupted" },
  bundle_invalid: { status: 422, title: "Invalid model bundle" },
  config_invalid: { status: 500, title: "Invalid configuration" },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
