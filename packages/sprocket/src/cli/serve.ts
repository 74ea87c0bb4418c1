import type { Command } from "commander";
import { loadConfig } from "../config/index.ts";
import { serve } from "../processes/serve.ts";
import { closeOnSignals } from "./exit-codes.ts";
import { examples } from "./help.ts";

export function registerServe(program: Command): void {
  examples(
    program
      .command("serve")
      .description("Run the API, scheduler and a local worker in one process")
      .option("--host <host>", "address to listen on")
      .option("--port <port>", "port to listen on (0: any free port)")
      .option("--data <dir>", "data directory")
      .option("--no-worker", "run no model instances in this process")
      .action((options) => runServe(options)),
    ["sprocket serve", "sprocket serve --port 8080 --data /var/lib/sprocket", "sprocket serve --no-worker"],
  );
}

async function runServe(options: { host?: string; port?: string; data?: string; worker?: boolean }): Promise<void> {
  const config = loadConfig({
    env: process.env,
    flags: { host: options.host, port: options.port, dataDir: options.data, worker: options.worker === false ? "false" : undefined },
  });
  const server = await serve({ config, env: process.env, execPath: process.execPath });
  // What a new user needs, on stdout: where it is and how to call it.
  process.stdout.write(
    [
      `Sprocket is listening on ${server.url}`,
      `Data directory: ${config.dataDir}`,
      `Admin API token (also in ${config.dataDir}/admin-token): ${server.adminToken}`,
      `Try: curl -s -H "Authorization: Bearer ${server.adminToken}" -H "Prefer: wait" -H "Content-Type: application/json" \\`,
      `       -d '{"input": {"name": "Ada"}}' ${server.url}/v1/models/admin/hello/predictions`,
      "",
    ].join("\n"),
  );
  closeOnSignals(server);
}
