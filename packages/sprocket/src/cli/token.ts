import type { Command } from "commander";
import { loadConfig } from "../config/index.ts";
import { AppError } from "../errors/index.ts";
import { createTokenInDataDir } from "../processes/tokens.ts";
import { connect, type ServerFlags } from "./connection.ts";
import { collect, examples } from "./help.ts";
import { printJson, printTable } from "./print.ts";

interface CreateFlags extends ServerFlags {
  user?: string;
  data?: string;
  scope: string[];
  model: string[];
  deployment: string[];
  expires?: string;
  rateLimit?: string;
  spendingCap?: string;
  name?: string;
  json?: boolean;
}

export function registerToken(program: Command): void {
  const token = program.command("token").description("Manage API tokens: full account tokens (--user, on the server's machine) and scoped tokens (--scope, through the API)");
  examples(
    token
      .command("create")
      .description(
        "With --user: create the account if needed and print a new full token for it (writes the data directory). With --scope: create a scoped token of your account through the API. The token is the last line of stdout.",
      )
      .option("--user <name>", "account name (a full token, written to the data directory)")
      .option("--data <dir>", "data directory (with --user)")
      .option("--scope <scope>", "a scope: predictions.create, predictions.read or models.read; repeat for more", collect, [])
      .option("--model <owner/name>", "limit the token to this model; repeatable", collect, [])
      .option("--deployment <owner/name>", "limit the token to this deployment; repeatable", collect, [])
      .option("--expires <time>", "ISO 8601 time the token stops working, e.g. 2026-12-31T00:00:00Z")
      .option("--rate-limit <n>", "requests per minute this token may make")
      .option("--spending-cap <seconds>", "predict-seconds this token's predictions may use in all")
      .option("--name <name>", "a name to recognise the token by")
      .option("--server <url>", "Sprocket server URL (with --scope)")
      .option("--json", "print the API's JSON (with --scope)")
      .action((options: CreateFlags) => runTokenCreate(options)),
    [
      "sprocket token create --user alice",
      "sprocket token create --scope predictions.create --deployment admin/hello-prod --expires 2026-12-31T00:00:00Z --rate-limit 30",
    ],
  );
  examples(
    token
      .command("list")
      .description("List your scoped tokens (never their secrets)")
      .option("--server <url>", "Sprocket server URL")
      .option("--json", "print the API's JSON")
      .action(async (options: ServerFlags & { json?: boolean }) => {
        const page = await connect(options).json("GET", "/v1/tokens");
        if (options.json) return printJson(page);
        printTable(
          page.results.map((t: Record<string, any>) => ({ id: t.id, name: t.name, scopes: t.scopes.join(","), models: t.models?.join(",") ?? "any", deployments: t.deployments?.join(",") ?? "any", expires_at: t.expires_at ?? "never" })),
          ["id", "name", "scopes", "models", "deployments", "expires_at"],
        );
      }),
    ["sprocket token list"],
  );
  examples(
    token
      .command("revoke")
      .description("Revoke one of your scoped tokens")
      .argument("<id>", "the token's id (tok_…), from `sprocket token list`")
      .option("--server <url>", "Sprocket server URL")
      .action(async (id: string, options: ServerFlags) => {
        await connect(options).json("DELETE", `/v1/tokens/${encodeURIComponent(id)}`);
        process.stderr.write(`revoked ${id}\n`);
      }),
    ["sprocket token revoke tok_01m8…"],
  );
}

async function runTokenCreate(options: CreateFlags): Promise<void> {
  if (options.scope.length === 0) {
    if (!options.user) throw new AppError("bad_request", "pass --user NAME for a full account token, or --scope SCOPE for a scoped one");
    const config = loadConfig({ env: process.env, flags: { dataDir: options.data } });
    const token = await createTokenInDataDir(config.dataDir, options.user);
    process.stderr.write(`created a token for ${options.user}\n`);
    process.stdout.write(`${token}\n`);
    return;
  }
  if (options.user) throw new AppError("bad_request", "--user makes a full token on the server's machine; a scoped token belongs to the account you are logged in as: drop --user");
  const number = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new AppError("bad_request", `${flag} takes a number ≥ 0, got "${value}"`);
    return n;
  };
  const body: Record<string, unknown> = {
    scopes: options.scope,
    ...(options.name ? { name: options.name } : {}),
    ...(options.model.length > 0 ? { models: options.model } : {}),
    ...(options.deployment.length > 0 ? { deployments: options.deployment } : {}),
    ...(options.expires ? { expires_at: options.expires } : {}),
    ...(options.rateLimit !== undefined ? { rate_limit: number("--rate-limit", options.rateLimit) } : {}),
    ...(options.spendingCap !== undefined ? { spending_cap_seconds: number("--spending-cap", options.spendingCap) } : {}),
  };
  const created = await connect(options).json("POST", "/v1/tokens", body);
  if (options.json) return printJson(created);
  process.stderr.write(`created scoped token ${created.id} (${created.scopes.join(", ")}); it is shown only now:\n`);
  process.stdout.write(`${created.token}\n`);
}
