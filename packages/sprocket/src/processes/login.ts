import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors/index.ts";
import { ApiClient } from "./api-client.ts";

/**
 * `sprocket login`: checks the token against the server (GET /v1/account), then stores server and
 * token in the user's config file, readable by the user only (0600), as the CLI's defaults.
 */
export async function login(options: { file: string | null; server: string; token: string }): Promise<{ username: string }> {
  if (!options.file) throw new AppError("config_invalid", "no place for the login file: set HOME or XDG_CONFIG_HOME");
  const account = await new ApiClient(options.server, options.token).json<{ username: string }>("GET", "/v1/account");
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(readFileSync(options.file, "utf8")) as Record<string, unknown>;
  } catch {
    // none yet, or unreadable: replaced
  }
  mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o700 });
  // Written to a 0600 temporary file and renamed, so the token is never readable by others, even briefly.
  const temporary = `${options.file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ ...existing, serverUrl: options.server, apiToken: options.token }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, options.file);
  return account;
}
