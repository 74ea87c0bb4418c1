// Starting the two servers every benchmark compares: the bare node:http baseline and
// `sprocket serve` with rate limits and examples off. Each returns its pid for cleanup.
import path from "node:path";
import { SERVER_NODE_FLAGS } from "../../packages/sprocket/src/config/server-node-flags.ts";
import { NODE_TS, REPO_ROOT, SPROCKET_BIN, startAndWaitFor } from "./processes.ts";

export interface Target {
  name: string;
  url: string;
  pid: number;
}

export async function startBaseline(token: string): Promise<Target> {
  const started = await startAndWaitFor(process.execPath, [NODE_TS, path.join(REPO_ROOT, "bench/lib/baseline-server.ts"), token], /listening on (http:\/\/\S+)/, {
    timeoutMs: 20_000,
    label: "baseline server",
  });
  return { name: "baseline", url: started.match, pid: started.child.pid! };
}

/**
 * `sprocket serve` on `dataDir`, spawned directly (no npm or shell between, so the pid is the
 * server's), with the environment cleared of inherited SPROCKET_* settings.
 */
export async function startSprocket(options: { token: string; dataDir: string; env?: Record<string, string>; nodeFlags?: string[] }): Promise<Target> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("SPROCKET_")) delete env[key];
  Object.assign(env, {
    SPROCKET_HOST: "127.0.0.1",
    SPROCKET_ADMIN_TOKEN: options.token,
    SPROCKET_RATE_LIMIT_CREATES: "0",
    SPROCKET_RATE_LIMIT_OTHER: "0",
    SPROCKET_EXAMPLES: "false",
    SPROCKET_LOG_LEVEL: "warn",
    ...options.env,
  });
  // The flags `npm start` and the `sprocket` command run the server with, so the figures are users'.
  const args = [...SERVER_NODE_FLAGS, ...(options.nodeFlags ?? []), SPROCKET_BIN, "serve", "--port", "0", "--data", options.dataDir];
  const started = await startAndWaitFor(process.execPath, args, /Sprocket is listening on (http:\/\/\S+)/, { env, timeoutMs: 30_000, label: "sprocket serve" });
  return { name: "Sprocket", url: started.match, pid: started.child.pid! };
}
