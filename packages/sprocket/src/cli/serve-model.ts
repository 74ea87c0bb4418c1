import type { Command } from "commander";
import { loadConfig } from "../config/index.ts";
import { serveModel } from "../processes/serve-model.ts";
import { examples } from "./help.ts";

export function registerServeModel(program: Command): void {
  examples(
    program
      .command("serve-model")
      .description("Serve one model directory with Cog's in-container HTTP API (like a Cog container)")
      .argument("<dir>", "model directory with cog.yaml")
      .option("--host <host>", "address to listen on")
      .option("--port <port>", "port to listen on (default 5000, Cog's; 0: any free port)")
      .option("--upload-url <url>", "PUT file outputs to <url>/<filename> and return the URLs (Cog's --upload-url)")
      .action((dir, options) => runServeModel(dir, options)),
    ["sprocket serve-model ./my-model --port 5000", "curl -X POST localhost:5000/predictions -d '{\"input\":{\"text\":\"hi\"}}'"],
  );
}

async function runServeModel(dir: string, options: { host?: string; port?: string; uploadUrl?: string }): Promise<void> {
  const config = loadConfig({ env: process.env, flags: { host: options.host, port: options.port } });
  const server = await serveModel({
    dir,
    config,
    uploadUrl: options.uploadUrl ?? null,
    // Cog's own variable, so a deployment written for a Cog container needs no change.
    webhookAuthToken: process.env.WEBHOOK_AUTH_TOKEN || undefined,
    env: process.env,
    execPath: process.execPath,
    write: (text) => process.stderr.write(text),
  });
  // Tests and scripts read the port from this line (with --port 0).
  process.stdout.write(`listening on ${server.url}\n`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  // Like Cog without --await-explicit-shutdown: SIGTERM and SIGINT stop it, and so does POST /shutdown.
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  void server.shutdownRequested.then(stop);
}
