import type { Command } from "commander";
import { connect, parseModelRef, type ServerFlags } from "./connection.ts";
import { examples } from "./help.ts";
import { noteMore, printFields, printJson, printTable } from "./print.ts";

type Flags = ServerFlags & { json?: boolean };

export function registerModels(program: Command): void {
  const models = program.command("models").description("List and inspect models on a server");
  examples(
    models
      .command("list")
      .description("List the models you can see")
      .option("--server <url>", "Sprocket server URL")
      .option("--json", "print the API's JSON")
      .action(async (options: Flags) => {
        const page = await connect(options).json("GET", "/v1/models");
        if (options.json) return printJson(page);
        printTable(
          page.results.map((m: Record<string, any>) => ({ model: `${m.owner}/${m.name}`, visibility: m.visibility, latest_version: m.latest_version?.id ?? null })),
          ["model", "visibility", "latest_version"],
        );
        noteMore(page.next);
      }),
    ["sprocket models list", "sprocket models list --json | jq '.results[].name'"],
  );
  examples(
    models
      .command("get")
      .description("Show one model and its latest version")
      .argument("<model>", "OWNER/NAME")
      .option("--server <url>", "Sprocket server URL")
      .option("--json", "print the API's JSON")
      .action(async (ref: string, options: Flags) => {
        const { owner, name } = parseModelRef(ref);
        const model = await connect(options).json("GET", `/v1/models/${owner}/${name}`);
        if (options.json) return printJson(model);
        printFields({ ...model, model: `${model.owner}/${model.name}`, latest_version: model.latest_version?.id ?? null }, [
          "model",
          "visibility",
          "description",
          "latest_version",
          "run_count",
          "url",
        ]);
      }),
    ["sprocket models get admin/hello", "sprocket models get admin/hello --json"],
  );
}
