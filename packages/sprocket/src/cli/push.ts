import { loadConfig } from "../config/index.ts";
import { AppError } from "../errors/index.ts";
import { push } from "../processes/push.ts";

export async function runPush(dir: string, model: string, options: { server?: string }): Promise<void> {
  const match = /^([^/]+)\/([^/:]+)$/.exec(model);
  if (!match) throw new AppError("bad_request", `model must be OWNER/NAME, got "${model}"`);
  const config = loadConfig({ env: process.env, flags: { serverUrl: options.server } });
  const server = config.serverUrl;
  if (!server) throw new AppError("bad_request", "no server: pass --server URL or set SPROCKET_URL");
  const token = config.apiToken;
  if (!token) throw new AppError("unauthenticated", "no token: set SPROCKET_API_TOKEN (or REPLICATE_API_TOKEN)");
  const result = await push({
    dir,
    owner: match[1],
    name: match[2],
    server,
    token,
    progress: (message) => process.stderr.write(`${message}\n`),
  });
  for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
  process.stderr.write(
    `${result.created ? "pushed new version" : "version already exists"} of ${model} (${result.uploaded} file(s) uploaded)\n`,
  );
  process.stdout.write(`${result.version.id}\n`);
}
