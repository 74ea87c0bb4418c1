import { InvalidArgumentError, type Command } from "commander";
import { AppError } from "../errors/index.ts";
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
  const deployments = program.command("deployments").description("List, inspect, create and update deployments on a server");
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
        show(await connect(options).json("GET", `/v1/deployments/${owner}/${name}`), options);
      }),
    ["sprocket deployments get admin/hello-prod"],
  );
  examples(
    releaseFlags(
      deployments
        .command("create")
        .description("Create a deployment: a name of your own for a model version, with its own warm instances")
        .argument("<name>", "deployment name (NAME or OWNER/NAME; it is created under your account)"),
    ).action(async (ref: string, options: ReleaseFlags) => {
      const api = connect(options);
      if (!options.model) throw new AppError("bad_request", "--model OWNER/NAME is required to create a deployment");
      const { owner, name, version } = parseModelRef(options.model, true);
      // Without --version the model's latest version, as Replicate's web UI proposes.
      const chosen = options.version ?? version ?? (await api.json("GET", `/v1/models/${owner}/${name}`)).latest_version?.id;
      if (!chosen) throw new AppError("not_found", `${owner}/${name} has no version yet: push one first (\`sprocket push DIR ${owner}/${name}\`)`);
      const body = { name: ref, model: `${owner}/${name}`, version: chosen, hardware: options.hardware ?? "cpu", min_instances: options.min ?? 0, max_instances: options.max ?? 1 };
      show(await api.json("POST", "/v1/deployments", body), options);
    }),
    [
      "sprocket deployments create hello-prod --model admin/hello --min 1 --max 2",
      "sprocket deployments create hello-prod --model admin/hello:5c7d5dc6dd8b --hardware cpu --json",
    ],
  );
  examples(
    releaseFlags(
      deployments
        .command("update")
        .description("Change a deployment's release: a new version rolls its instances over without failing a running prediction")
        .argument("<deployment>", "OWNER/NAME"),
    ).action(async (ref: string, options: ReleaseFlags) => {
      const { owner, name } = parseModelRef(ref);
      const patch: Record<string, unknown> = {};
      if (options.model) {
        const model = parseModelRef(options.model, true);
        patch.model = `${model.owner}/${model.name}`;
        if (model.version) patch.version = model.version;
      }
      if (options.version) patch.version = options.version;
      if (options.hardware) patch.hardware = options.hardware;
      if (options.min !== undefined) patch.min_instances = options.min;
      if (options.max !== undefined) patch.max_instances = options.max;
      if (Object.keys(patch).length === 0) throw new AppError("bad_request", "nothing to update: pass --version, --model, --hardware, --min or --max");
      show(await connect(options).json("PATCH", `/v1/deployments/${owner}/${name}`, patch), options);
    }),
    ["sprocket deployments update admin/hello-prod --version 5c7d5dc6dd8b…", "sprocket deployments update admin/hello-prod --min 0 --max 4"],
  );
}

type ReleaseFlags = Flags & { model?: string; version?: string; hardware?: string; min?: number; max?: number };

/** The flags create and update share: the release's fields, named as the API names them. */
function releaseFlags(command: Command): Command {
  return command
    .option("--model <owner/name>", "model to run (OWNER/NAME or OWNER/NAME:VERSION)")
    .option("--version <id>", "version id (create: default the model's latest)")
    .option("--hardware <sku>", "hardware SKU, as GET /v1/hardware lists them (create: default cpu)")
    .option("--min <n>", "min_instances: instances kept warm (create: default 0)", count)
    .option("--max <n>", "max_instances: most instances under load (create: default 1)", count)
    .option("--server <url>", "Sprocket server URL")
    .option("--json", "print the API's JSON");
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number");
  return Number(value);
}

/** One deployment and its current release, as `get`, `create` and `update` print it. */
function show(deployment: Record<string, any>, options: Flags): void {
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
}
