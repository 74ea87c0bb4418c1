import type { Command } from "commander";
import { remoteRun } from "../processes/remote-run.ts";
import { connect, parseModelRef, type ServerFlags } from "./connection.ts";
import { EXIT } from "./exit-codes.ts";
import { collect, examples } from "./help.ts";
import { printOutput } from "./print.ts";

interface Flags extends ServerFlags {
  input: string[];
  output: string;
  stream?: boolean;
  json?: boolean;
}

export function registerRun(program: Command): void {
  examples(
    program
      .command("run")
      .description("Run a prediction on a server and wait for it (file outputs are downloaded)")
      .argument("<model>", "OWNER/NAME (its latest version) or OWNER/NAME:VERSION")
      .option("-i, --input <key=value>", "an input; key=@path uploads a file; repeat a key for a list", collect, [])
      .option("-o, --output <dir>", "where file outputs are written", ".")
      .option("--stream", "print output as the model produces it (iterator outputs)")
      .option("--json", "print the whole prediction as JSON")
      .option("--server <url>", "Sprocket server URL")
      .action((model: string, options: Flags) => runRun(model, options)),
    ["sprocket run admin/hello -i name=Ada", "sprocket run admin/upscale:3f1c… -i image=@photo.jpg -o out/", "sprocket run admin/llm -i prompt='a haiku' --stream"],
  );
}

async function runRun(model: string, options: Flags): Promise<void> {
  const { owner, name, version } = parseModelRef(model, true);
  const api = connect(options);
  let created: string | null = null;
  // Ctrl-C cancels the prediction on the server too, instead of leaving it running unseen.
  const onInterrupt = () => {
    if (!created) process.exit(130);
    void api.request("POST", `/v1/predictions/${created}/cancel`).finally(() => process.exit(130));
  };
  process.once("SIGINT", onInterrupt);
  let streamed = false;
  const result = await remoteRun({
    api,
    owner,
    name,
    version,
    inputs: options.input,
    outputDir: options.output,
    onCreated: (prediction) => (created = prediction.id),
    onStream: options.stream
      ? (text) => {
          streamed = true;
          if (!options.json) process.stdout.write(text);
        }
      : undefined,
  });
  process.removeListener("SIGINT", onInterrupt);
  for (const file of result.files) process.stderr.write(`wrote ${file}\n`);
  const { prediction } = result;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...prediction, files: result.files }, null, 2)}\n`);
  } else if (prediction.status === "succeeded") {
    if (streamed) process.stdout.write("\n");
    else printOutput(result.output);
  }
  if (prediction.status !== "succeeded") {
    process.stderr.write(
      prediction.status === "failed" ? `sprocket: prediction ${prediction.id} failed: ${String(prediction.error)}\n` : `sprocket: prediction ${prediction.id} was ${prediction.status}\n`,
    );
    process.exitCode = EXIT.predictionFailed;
  }
}
