import { AppError } from "./app-error.ts";

/**
 * A request body as JSON: empty (or whitespace) is no body at all — the JS client sends
 * `Content-Type: application/json` with an empty body on GET, DELETE and cancel — and anything
 * that does not parse is a 400 `malformed_json`, never a 500. Shared by both HTTP servers.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError("malformed_json", `The request body is not valid JSON: ${(error as Error).message}`);
  }
}
