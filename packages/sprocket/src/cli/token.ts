import type { Command } from "commander";
import { loadConfig } from "../config/index.ts";
import { createTokenInDataDir } from "../processes/tokens.ts";
import { examples } from "./help.ts";

export function registerToken(program: Command): void {
  const token = program.command("token").description("Manage API tokens");
  examples(
    token
      .command("create")
      .description("Create a user if needed and print a new API token for it (last line of stdout)")
      .requiredOption("--user <name>", "account name")
      .option("--data <dir>", "data directory")
      .action((options) => runTokenCreate(options)),
    ["sprocket token create --user alice", "sprocket token create --user ci --data /var/lib/sprocket"],
  );
}

async function runTokenCreate(options: { user: string; data?: string }): Promise<void> {
  const config = loadConfig({ env: process.env, flags: { dataDir: options.data } });
  const token = await createTokenInDataDir(config.dataDir, options.user);
  process.stderr.write(`created a token for ${options.user}\n`);
  process.stdout.write(`${token}\n`);
}
