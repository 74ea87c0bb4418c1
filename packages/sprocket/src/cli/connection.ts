import { loadConfig } from "../config/index.ts";
import { AppError } from "../errors/index.ts";
import { ApiClient } from "../processes/api-client.ts";

export interface ServerFlags {
  server?: string;
}

/** The server and token a command talks to: --server, then the environment, then `sprocket login`'s file. */
export function connect(options: ServerFlags): ApiClient {
  const config = loadConfig({ env: process.env, flags: { serverUrl: options.server } });
  if (!config.serverUrl) throw new AppError("unavailable", "no server: pass --server URL, set SPROCKET_URL, or run `sprocket login --server URL`");
  if (!config.apiToken) throw new AppError("unauthenticated", "no API token: run `sprocket login` or set SPROCKET_API_TOKEN");
  return new ApiClient(config.serverUrl, config.apiToken);
}

/** OWNER/NAME, or OWNER/NAME:VERSION when `version` is allowed. */
export function parseModelRef(ref: string, allowVersion = false): { owner: string; name: string; version: string | null } {
  const match = /^([^/\s:]+)\/([^/\s:]+)(?::([0-9a-f]{6,64}))?$/.exec(ref);
  if (!match || (match[3] && !allowVersion)) {
    throw new AppError("bad_request", `expected ${allowVersion ? "OWNER/NAME[:VERSION]" : "OWNER/NAME"}, got "${ref}"`);
  }
  return { owner: match[1], name: match[2], version: match[3] ?? null };
}
