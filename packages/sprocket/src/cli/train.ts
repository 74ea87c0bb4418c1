import type { Command } from "commander";
import { remoteTrain } from "../processes/remote-train.ts";
import { connect, parseModelRef, type ServerFlags } from "./connection.ts";
import { EXIT } from "./exit-codes.ts";
import { collect, examples } from "./help.ts";
import { noteMore, printFields, printJson, printTable } from "./print.ts";

interface Flags extends ServerFlags {
  destination: string;
  input: string[];
  json?: boolean;
}

export function registerTrain(program: Command): void {
  examples(
    program
      .command("train")
      .description("Train a model on a server (cog.yaml `train:`) and wait: the result is a new version of --destination, printed last")
      .argument("<model>", "OWNER/NAME (its latest version) or OWNER/NAME:VERSION to train from")
      .requiredOption("-d, --destination <owner/name>", "your model the trained version is added to")
      .option("-i, --input <key=value>", "a training input; key=@path uploads a file; repeat a key for a list", collect, [])
      .option("--json", "print the whole training as JSON")
      .option("--server <url>", "Sprocket server URL")
      .action((model: string, options: Flags) => runTrain(model, options)),
    ["sprocket train admin/bigram -d admin/my-bigram -i text=@book.txt", "sprocket run $(sprocket train admin/bigram -d admin/my-bigram -i text=@book.txt) -i word=the"],
  );
  const trainings = program.command("trainings").description("List, inspect and cancel trainings on a server");
  const flags = (command: Command) => command.option("--server <url>", "Sprocket server URL").option("--json", "print the API's JSON");
  examples(
    flags(trainings.command("list").description("List your trainings, newest first (one page)")).action(async (options: ServerFlags & { json?: boolean }) => {
      const page = await connect(options).json("GET", "/v1/trainings");
      if (options.json) return printJson(page);
      printTable(page.results.map((t: Record<string, any>) => ({ ...t, new_version: t.output?.version ?? null })), ["id", "model", "status", "new_version", "created_at"]);
      noteMore(page.next);
    }),
    ["sprocket trainings list"],
  );
  examples(
    flags(trainings.command("get").description("Show one training").argument("<id>", "training id")).action(async (id: string, options: ServerFlags & { json?: boolean }) => {
      const training = await connect(options).json("GET", `/v1/trainings/${encodeURIComponent(id)}`);
      if (options.json) return printJson(training);
      printFields(training, ["id", "model", "version", "status", "input", "output", "error", "created_at", "completed_at"]);
    }),
    ["sprocket trainings get ufawqhfynnddngldkgtslldrkq"],
  );
  examples(
    flags(trainings.command("cancel").description("Cancel a training that has not finished").argument("<id>", "training id")).action(async (id: string, options: ServerFlags & { json?: boolean }) => {
      const training = await connect(options).json("POST", `/v1/trainings/${encodeURIComponent(id)}/cancel`);
      if (options.json) return printJson(training);
      process.stdout.write(`${training.id} ${training.status}\n`);
    }),
    ["sprocket trainings cancel ufawqhfynnddngldkgtslldrkq"],
  );
}

async function runTrain(model: string, options: Flags): Promise<void> {
  const { owner, name, version } = parseModelRef(model, true);
  parseModelRef(options.destination);
  const api = connect(options);
  let created: string | null = null;
  // Ctrl-C cancels the training on the server too.
  const onInterrupt = () => {
    if (!created) process.exit(130);
    void api.request("POST", `/v1/trainings/${created}/cancel`).finally(() => process.exit(130));
  };
  process.once("SIGINT", onInterrupt);
  const training = await remoteTrain({
    api,
    owner,
    name,
    version,
    destination: options.destination,
    inputs: options.input,
    onCreated: (made) => {
      created = made.id;
      process.stderr.write(`training ${made.id} started\n`);
    },
  });
  process.removeListener("SIGINT", onInterrupt);
  if (options.json) process.stdout.write(`${JSON.stringify(training, null, 2)}\n`);
  if (training.status === "succeeded") {
    if (!options.json) process.stdout.write(`${(training.output as { version: string }).version}\n`);
    return;
  }
  process.stderr.write(training.status === "failed" ? `sprocket: training ${training.id} failed: ${String(training.error)}\n` : `sprocket: training ${training.id} was ${training.status}\n`);
  process.exitCode = EXIT.predictionFailed;
}
