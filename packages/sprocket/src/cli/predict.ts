import type { Command } from "commander";
import { loadConfig, userCacheDir } from "../config/index.ts";
import { predictOnDevSession } from "../processes/dev-predict.ts";
import { localPredict } from "../processes/local-predict.ts";
import { connect } from "./connection.ts";
import { EXIT } from "./exit-codes.ts";
import { collect, examples } from "./help.ts";
import { printOutput } from "./print.ts";

interface Flags {
  input: string[];
  json?: boolean;
  output: string;
}

export function registerPredict(program: Command): void {
  examples(
    program
      .command("predict")
      .description(
        "Run a model directory once, like `cog predict`: on the warm instance of a `sprocket dev` watching it (no setup() again), else locally without a server",
      )
      .argument("<dir>", "model directory with cog.yaml")
      .option("-i, --input <key=value>", "an input; key=@path sends a file; repeat a key for a list", collect, [])
      .option("-o, --output <dir>", "where file outputs are written", ".")
      .option("--json", "print the whole result as JSON")
      .action((dir: string, options: Flags) => runPredict(dir, options)),
    ["sprocket predict . -i text=hello", "sprocket predict ./shout -i text=hi -i times=3 --json", "sprocket predict ./upscale -i image=@photo.jpg -o out/"],
  );
}

async function runPredict(dir: string, options: Flags): Promise<void> {
  const config = loadConfig({ env: process.env });
  const onDevServer = await predictOnDevSession({
    dir,
    inputs: options.input,
    outputDir: options.output,
    cacheDir: userCacheDir(process.env),
    connect: (server) => connect({ server }),
    note: (message) => process.stderr.write(`${message}\n`),
  });
  const result = onDevServer ?? await localPredict({
    dir,
    inputs: options.input,
    outputDir: options.output,
    env: process.env,
    execPath: process.execPath,
    python: config.python,
    maxInputBytes: config.inputFileLimitBytes,
    onLog: (data) => process.stderr.write(data),
  });
  for (const file of result.files) process.stderr.write(`wrote ${file}\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.status === "succeeded") {
    printOutput(result.output);
  } else {
    process.stderr.write(result.status === "failed" ? `sprocket: prediction failed: ${result.error}\n` : "sprocket: prediction canceled\n");
  }
  if (result.status !== "succeeded") process.exitCode = EXIT.predictionFailed;
}
