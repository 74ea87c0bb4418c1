import path from "node:path";
import type { Command } from "commander";
import { userCacheDir } from "../config/index.ts";
import { describeFailure, startDev } from "../processes/dev.ts";
import { connect, parseModelRef, type ServerFlags } from "./connection.ts";
import { examples } from "./help.ts";

type Flags = ServerFlags & { model?: string; hardware: string };

export function registerDev(program: Command): void {
  examples(
    program
      .command("dev")
      .description(
        "Watch a model directory; on every change push a new version and roll a warm deployment (min_instances 1) onto it, printing `version ID ready (deployment OWNER/NAME)`",
      )
      .argument("[dir]", "model directory with cog.yaml", ".")
      .option("--server <url>", "Sprocket server URL (default: $SPROCKET_URL, then `sprocket login`)")
      .option("--model <owner/name>", "model and deployment to push to (default: YOUR_USERNAME/DIRECTORY_NAME)")
      .option("--hardware <sku>", "hardware of the deployment when dev creates it (GET /v1/hardware)", "cpu")
      .action((dir: string, options: Flags, command: Command) => runDev(dir, options, command.optsWithGlobals().debug === true)),
    [
      "sprocket dev ./my-model --server http://127.0.0.1:5000",
      "sprocket dev . --model admin/shout   # then: curl -X POST $SPROCKET_URL/v1/deployments/admin/shout/predictions …",
    ],
  );
}

async function runDev(dir: string, options: Flags, debug: boolean): Promise<void> {
  const api = connect(options);
  // Checked once before watching, so a wrong server or token is an exit code, not a line per edit.
  const account = await api.json<{ username: string }>("GET", "/v1/account");
  const { owner, name } = options.model ? parseModelRef(options.model) : { owner: account.username, name: modelNameOf(dir) };
  const deployment = `${owner}/${name}`;
  process.stderr.write(`watching ${path.resolve(dir)} → ${deployment} on ${api.base} (Ctrl-C to stop)\n`);

  const session = startDev({
    dir,
    owner,
    name,
    api,
    cacheDir: userCacheDir(process.env),
    hardware: options.hardware,
    // stdout carries only these lines, so `sprocket dev | while read …` can react to new versions.
    ready: (version) => process.stdout.write(`version ${version} ready (deployment ${deployment})\n`),
    note: (message) => process.stderr.write(`${message}\n`),
    failed: (error) => process.stderr.write(`sprocket: ${describeFailure(error, debug)} (still watching)\n`),
  });

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void session.stop().then(() => {
        process.stderr.write(`stopped; deployment ${deployment} stays warm (\`sprocket deployments update ${deployment} --min 0\` lets it scale to zero)\n`);
        resolve();
      });
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** A model name from a directory name: lower case, other characters as dashes (the API's name rule). */
function modelNameOf(dir: string): string {
  const base = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "");
  return base || "model";
}
