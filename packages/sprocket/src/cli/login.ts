import type { Command } from "commander";
import { createInterface } from "node:readline/promises";
import { loadConfig, userConfigFile } from "../config/index.ts";
import { AppError } from "../errors/index.ts";
import { login } from "../processes/login.ts";
import { examples } from "./help.ts";

export function registerLogin(program: Command): void {
  examples(
    program
      .command("login")
      .description("Check an API token against a server and save both in your config file (mode 0600); other commands use them")
      .option("--server <url>", "Sprocket server URL (default: $SPROCKET_URL, then the saved one)")
      .option("--token-stdin", "read the token from stdin (default: $SPROCKET_API_TOKEN, else asked for)")
      .action(async (options: { server?: string; tokenStdin?: boolean }) => {
        const config = loadConfig({ env: process.env, flags: { serverUrl: options.server } });
        if (!config.serverUrl) throw new AppError("bad_request", "which server? pass --server URL, e.g. sprocket login --server http://127.0.0.1:5000");
        const token = options.tokenStdin
          ? (await readStdin()).trim()
          : (config.apiToken ?? (process.stdin.isTTY ? await ask("API token: ") : (await readStdin()).trim()));
        if (!token) throw new AppError("unauthenticated", "no token given: pipe it in with --token-stdin, or create one with `sprocket token create --user NAME`");
        const file = userConfigFile(process.env);
        const { username } = await login({ file, server: config.serverUrl, token });
        process.stderr.write(`logged in to ${config.serverUrl} as ${username} (saved in ${file})\n`);
      }),
    ["sprocket token create --user alice | tail -1 | sprocket login --server http://127.0.0.1:5000 --token-stdin", "sprocket login --server https://models.example.com"],
  );
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

async function ask(question: string): Promise<string> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await prompt.question(question);
  } finally {
    prompt.close();
  }
}
