import type { Command } from "commander";
import { connect, type ServerFlags } from "./connection.ts";
import { examples } from "./help.ts";
import { noteMore, printFields, printJson, printTable } from "./print.ts";

type Flags = ServerFlags & { json?: boolean };

const ID = "<id>";

export function registerPredictions(program: Command): void {
  const predictions = program.command("predictions").description("List, inspect and cancel predictions on a server");
  examples(
    predictions
      .command("list")
      .description("List your predictions, newest first (one page)")
      .option("--server <url>", "Sprocket server URL")
      .option("--json", "print the API's JSON")
      .action(async (options: Flags) => {
        const page = await connect(options).json("GET", "/v1/predictions");
        if (options.json) return printJson(page);
        printTable(page.results, ["id", "model", "status", "created_at"]);
        noteMore(page.next);
      }),
    ["sprocket predictions list", "sprocket predictions list --json | jq '.results[0].id'"],
  );
  examples(
    predictions
      .command("get")
      .description("Show one prediction")
      .argument(ID, "prediction id")
      .option("--server <url>", "Sprocket server URL")
      .option("--json", "print the API's JSON")
      .action(async (id: string, options: Flags) => {
        const prediction = await connect(options).json("GET", `/v1/predictions/${encodeURIComponent(id)}`);
        if (options.json) return printJson(prediction);
        printFields(prediction, ["id", "model", "version", "status", "input", "output", "error", "created_at", "completed_at"]);
      }),
    ["sprocket predictions get ufawqhfynnddngldkgtslldrkq"],
  );
  examples(
    predictions
      .command("cancel")
      .description("Cancel a prediction that has not finished")
      .argument(ID, "prediction id")
      .option("--server <url>", "Sprocket server URL")
      .option("--json", "print the API's JSON")
      .action(async (id: string, options: Flags) => {
        const prediction = await connect(options).json("POST", `/v1/predictions/${encodeURIComponent(id)}/cancel`);
        if (options.json) return printJson(prediction);
        process.stdout.write(`${prediction.id} ${prediction.status}\n`);
      }),
    ["sprocket predictions cancel ufawqhfynnddngldkgtslldrkq"],
  );
}
