import { loadConfig } from "../config/index.ts";
import { serve } from "../processes/serve.ts";

export async function runServe(options: { host?: string; port?: string; data?: string; worker?: boolean }): Promise<void> {
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
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
