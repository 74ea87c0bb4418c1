import { loadConfig } from "../config/index.ts";
import { createTokenInDataDir } from "../processes/tokens.ts";

export async function runTokenCreate(options: { user: string; data?: string }): Promise<void> {
  const config = loadConfig({ env: process.env, flags: { dataDir: options.data } });
  const token = await createTokenInDataDir(config.dataDir, options.user);
  process.stderr.write(`created a token for ${options.user}\n`);
  process.stdout.write(`${token}\n`);
}
