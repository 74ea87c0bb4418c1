import type { Command } from "commander";
import { loadConfig } from "../config/index.ts";
import { localPredict } from "../processes/local-predict.ts";
import { EXIT } from "./exit-codes.ts";
import { collect, examples } from "./help.ts";

export function registerPredict(program: Command): void {
  examples(
    program
      .command("predict")
      .description("Run a model directory locally, without a server (like `cog predict`)")
      .argument("<dir>", "model directory with cog.yaml")
      .option("-i, --input <key=value>", "an input (repeatable)", collect, [])
      .option("--json", "print the whole result as JSON")
      .action((dir: string, options: { input: string[]; json?: boolean }) => runPredict(dir, options)),
    ["sprocket predict . -i text=hello", "sprocket predict ./shout -i text=hi -i times=3 --json"],
  );
}

async function runPredict(dir: string, options: { input: string[]; json?: boolean }): Promise<void> {
  const result = await localPredict({
    dir,
    inputs: options.input,
    env: process.env,
    execPath: process.execPath,
    python: loadConfig({ env: process.env }).python,
    onLog: (data) => process.stderr.write(data),
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.status === "succeeded") {
    const output = result.output;
    process.stdout.write(`${typeof output === "string" ? output : JSON.stringify(output, null, 2)}\n`);
  } else {
    process.stderr.write(result.status === "failed" ? `sprocket: prediction failed: ${result.error}\n` : "sprocket: prediction canceled\n");
  }
  if (result.status !== "succeeded") process.exitCode = EXIT.predictionFailed;
}
