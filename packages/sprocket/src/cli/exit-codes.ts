import type { ErrorCode } from "../errors/index.ts";

/**
 * The exit status of every command, documented in the README (Command line → Exit codes). Scripts
 * branch on these, so a code's meaning never changes; new situations get new numbers.
 */
export const EXIT = {
  ok: 0,
  /** The prediction ran and ended `failed` or `canceled`. */
  predictionFailed: 1,
  /** Unknown command or flag, a missing or malformed argument, input the model's schema rejects. */
  usage: 2,
  /** No server configured, or it could not be reached (or answered 503). */
  unreachable: 3,
  /** No token, or the server refused it (401/403). */
  auth: 4,
  /** The model, version, prediction or deployment does not exist (or is not yours). */
  notFound: 5,
  /** The model directory is invalid: cog.yaml, the predictor, or a file the bundle refuses. */
  invalidModel: 6,
  /** The server answered with an error the CLI has no better code for. */
  serverError: 7,
  /** A bug in Sprocket: re-run with --debug and report the stack trace. */
  internal: 10,
} as const;

const BY_CODE: Partial<Record<ErrorCode, number>> = {
  bad_request: EXIT.usage,
  malformed_json: EXIT.usage,
  validation_failed: EXIT.usage,
  config_invalid: EXIT.usage,
  body_too_large: EXIT.usage,
  unavailable: EXIT.unreachable,
  unauthenticated: EXIT.auth,
  invalid_token: EXIT.auth,
  forbidden: EXIT.auth,
  not_found: EXIT.notFound,
  invalid_version: EXIT.notFound,
  invalid_model: EXIT.notFound,
  bundle_invalid: EXIT.invalidModel,
  model_setup_failed: EXIT.predictionFailed,
  model_crashed: EXIT.predictionFailed,
  prediction_timed_out: EXIT.predictionFailed,
};

export function exitCodeOf(code: ErrorCode): number {
  return BY_CODE[code] ?? EXIT.serverError;
}

/** A long-running command (serve, worker) closes `what` once on Ctrl-C or SIGTERM, then exits 0. */
export function closeOnSignals(what: { close(): Promise<void> }): void {
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await what.close();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
