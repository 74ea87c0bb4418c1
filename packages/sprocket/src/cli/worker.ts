import type { Command } from "commander";
import { loadConfig } from "../config/index.ts";
import { AppError } from "../errors/index.ts";
import { runWorkerHost } from "../processes/worker-host.ts";
import { closeOnSignals } from "./exit-codes.ts";
import { examples } from "./help.ts";

export function registerWorker(program: Command): void {
  examples(
    program
      .command("worker")
      .description("Run model instances for a Sprocket server on this host (scale-out), reaching it only through its API")
      .option("--server <url>", "the Sprocket API to work for (or SPROCKET_URL)")
      .option("--token <token>", "a full token of the admin account (or SPROCKET_API_TOKEN)")
      .option("--data <dir>", "where this host keeps version files and staged outputs", ".sprocket-worker")
      .option("--name <name>", "how the server lists this host (default: its host name)")
      .action((options) => runWorker(options)),
    ["sprocket worker --server http://sprocket-api:5000 --token $SPROCKET_ADMIN_TOKEN", "SPROCKET_URL=http://10.0.0.5:5000 SPROCKET_API_TOKEN=r8_… sprocket worker --name gpu-1"],
  );
}

async function runWorker(options: { server?: string; token?: string; data: string; name?: string }): Promise<void> {
  const config = loadConfig({ env: process.env, flags: { serverUrl: options.server, apiToken: options.token } });
  if (!config.serverUrl) throw new AppError("bad_request", "no server: pass --server URL or set SPROCKET_URL");
  if (!config.apiToken) throw new AppError("unauthenticated", "no token: pass --token or set SPROCKET_API_TOKEN (a full token of the admin account)");
  const host = await runWorkerHost({ serverUrl: config.serverUrl, token: config.apiToken, dataDir: options.data, name: options.name, config, env: process.env, execPath: process.execPath });
  process.stdout.write(`Sprocket worker ${host.workerId} is working for ${config.serverUrl}\n`);
  closeOnSignals(host);
}
