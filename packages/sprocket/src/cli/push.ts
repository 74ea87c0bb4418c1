import type { Command } from "commander";
import { userCacheDir } from "../config/index.ts";
import { push } from "../processes/push.ts";
import { formatBytes } from "./build.ts";
import { connect, parseModelRef, type ServerFlags } from "./connection.ts";
import { examples } from "./help.ts";

export function registerPush(program: Command): void {
  examples(
    program
      .command("push")
      .description("Bundle a model directory and push it as a new version of OWNER/NAME (prints the version id last)")
      .argument("<dir>", "model directory with cog.yaml")
      .argument("<model>", "OWNER/NAME (created, private, if missing)")
      .option("--server <url>", "Sprocket server URL (default: $SPROCKET_URL, then `sprocket login`)")
      .action((dir: string, model: string, options: ServerFlags) => runPush(dir, model, options)),
    ["sprocket push ./my-model admin/my-model --server http://127.0.0.1:5000", "SPROCKET_API_TOKEN=r8_… sprocket push . admin/shout"],
  );
}

async function runPush(dir: string, model: string, options: ServerFlags): Promise<void> {
  const { owner, name } = parseModelRef(model);
  const api = connect(options);
  const tty = process.stderr.isTTY;
  const result = await push({
    dir,
    owner,
    name,
    api,
    cacheDir: userCacheDir(process.env),
    progress: (message) => process.stderr.write(`${message}\n`),
    // A bar redrawn in place on a terminal; in CI logs, one plain line per file.
    uploaded: ({ files, totalFiles, bytes, totalBytes }) => {
      const counts = `${files}/${totalFiles} files, ${formatBytes(bytes)} of ${formatBytes(totalBytes)}`;
      if (!tty) return void process.stderr.write(`uploaded ${counts}\n`);
      const width = 30;
      const done = totalBytes === 0 ? width : Math.round((bytes / totalBytes) * width);
      process.stderr.write(`\ruploading [${"#".repeat(done)}${"-".repeat(width - done)}] ${counts}${files === totalFiles ? "\n" : ""}`);
    },
  });
  for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
  process.stderr.write(
    `${result.created ? "pushed new version" : "version already exists"} of ${model} (${result.uploaded} file(s) uploaded, ${formatBytes(result.uploadedBytes)})\n`,
  );
  process.stdout.write(`${result.version.id}\n`);
}
