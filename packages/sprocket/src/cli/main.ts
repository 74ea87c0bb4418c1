import { Command, CommanderError } from "commander";
import { isAppError } from "../errors/index.ts";
import { runPredict } from "./predict.ts";
import { runPush } from "./push.ts";
import { runServe } from "./serve.ts";
import { runServeModel } from "./serve-model.ts";
import { runTokenCreate } from "./token.ts";

export async function main(argv: string[]): Promise<void> {
  const program = new Command("sprocket")
    .description("Self-hosted, Replicate-compatible model serving")
    .exitOverride()
    .showHelpAfterError();

  program
    .command("serve")
    .description("Run the API, scheduler and a local worker in one process")
    .option("--host <host>", "address to listen on")
    .option("--port <port>", "port to listen on (0: any free port)")
    .option("--data <dir>", "data directory")
    .option("--no-worker", "run no model instances in this process")
    .action((options) => runServe(options));

  program
    .command("push")
    .description("Bundle a model directory and push it as a new version of OWNER/NAME")
    .argument("<dir>", "model directory with cog.yaml")
    .argument("<model>", "OWNER/NAME")
    .option("--server <url>", "Sprocket server URL (default: $SPROCKET_URL)")
    .action((dir, model, options) => runPush(dir, model, options));

  program
    .command("predict")
    .description("Run a model directory locally, without a server (like `cog predict`)")
    .argument("<dir>", "model directory with cog.yaml")
    .option("-i, --input <key=value>", "an input (repeatable)", (value: string, previous: string[]) => [...previous, value], [])
    .option("--json", "print the whole result as JSON")
    .action((dir, options) => runPredict(dir, options));

  program
    .command("serve-model")
    .description("Serve one model directory with Cog's in-container HTTP API (like a Cog container)")
    .argument("<dir>", "model directory with cog.yaml")
    .option("--host <host>", "address to listen on")
    .option("--port <port>", "port to listen on (default 5000, Cog's; 0: any free port)")
    .option("--upload-url <url>", "PUT file outputs to <url>/<filename> and return the URLs (Cog's --upload-url)")
    .action((dir, options) => runServeModel(dir, options));

  const token = program.command("token").description("Manage API tokens");
  token
    .command("create")
    .description("Create a user if needed and print a new API token for it (last line of stdout)")
    .requiredOption("--user <name>", "account name")
    .option("--data <dir>", "data directory")
    .action((options) => runTokenCreate(options));

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (isAppError(error)) {
      process.stderr.write(`sprocket: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
