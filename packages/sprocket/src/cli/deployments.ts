import type { Command } from "commander";
import { connect, parseModelRef, type ServerFlags } from "./connection.ts";
import { examples } from "./help.ts";
import { noteMore, printFields, printJson, printTable } from "./print.ts";

type Flags = ServerFlags & { json?: boolean };

/** What a deployment runs, in one row. */
const summary = (d: Record<string, any>) => ({
  deployment: `${d.owner}/${d.name}`,
  model: d.current_release?.model ?? null,
  version: d.current_release?.version ?? null,
  min_instances: d.current_release?.configuration?.min_instances ?? null,
  max_instances: d.current_release?.configuration?.max_instances ?? null,
});

export function registerDeployments(program: Command): void {
  const deployments = program.command("deployments").description("List and inspect deployments on a server");
  examples(
    deployments
      .command("list")
      .description("List your deployments")
      .option("--server <url>", "Sprocket server URL")
      .option("--json", "print the API's JSON")
      .action(async (options: Flags) => {
        const page = await connect(options).json("GET", "/v1/deployments");
        if (options.json) return printJson(page);
        printTable(page.results.map(summary), ["deployment", "model", "version", "min_instances", "max_instances"]);
        noteMore(page.next);
      }),
    ["sprocket deployments list", "sprocket deployments list --json"],
  );
  examples(
    deployments
      .command("get")
      .description("Show one deployment and its current release")
      .argument("<deployment>", "OWNER/NAME")
      .option("--server <url>", "Sprocket server URL")
      .option("--json", "print the API's JSON")
      .action(async (ref: string, options: Flags) => {
        const { owner, name } = parseModelRef(ref);
        const deployment = await connect(options).json("GET", `/v1/deployments/${owner}/${name}`);
        if (options.json) return printJson(deployment);
        const row = summary(deployment);
        printFields({ ...row, release: deployment.current_release?.number ?? null, hardware: deployment.current_release?.configuration?.hardware ?? null }, [
          "deployment",
          "model",
          "version",
          "release",
          "hardware",
          "min_instances",
          "max_instances",
        ]);
      }),
    ["sprocket deployments get admin/hello-prod"],
  );
}
