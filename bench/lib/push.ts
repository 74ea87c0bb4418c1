// Pushing a bench model to a running Sprocket with the `sprocket push` command, as a user would.
import { SPROCKET_BIN, runToEnd } from "./processes.ts";
import type { Target } from "./servers.ts";

/** Pushes model directory `dir` (absolute) as `model`; resolves with the version id. */
export async function pushModel(server: Target, token: string, dir: string, model: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, SPROCKET_API_TOKEN: token };
  delete env.SPROCKET_CONFIG;
  const stdout = await runToEnd(process.execPath, [SPROCKET_BIN, "push", dir, model, "--server", server.url], {
    env,
    timeoutMs: 30_000,
    label: "sprocket push",
  });
  return stdout.trim().split("\n").pop()!.trim();
}
