import type { Command } from "commander";
import { loadConfig, userCacheDir } from "../config/index.ts";
import { buildBundle } from "../processes/build.ts";
import { examples } from "./help.ts";
import { printJson } from "./print.ts";

export function registerBuild(program: Command): void {
  examples(
    program
      .command("build")
      .description("Check cog.yaml and the predictor, bundle the directory, and print the version id `push` will produce")
      .argument("[dir]", "model directory with cog.yaml", ".")
      .option("--json", "print id, files and sizes as JSON")
      .action(async (dir: string, options: { json?: boolean }) => {
        const config = loadConfig({ env: process.env });
        const result = await buildBundle({
          dir,
          cacheDir: userCacheDir(process.env),
          loadPredictor: { env: process.env, execPath: process.execPath, python: config.python },
        });
        for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
        if (options.json) return printJson({ id: result.id, files: result.manifest, bytes: result.bytes, hashed_bytes: result.hashedBytes });
        process.stderr.write(`${Object.keys(result.manifest).length} file(s), ${formatBytes(result.bytes)}; predictor ${result.config.predictor}\n`);
        process.stdout.write(`${result.id}\n`);
      }),
    ["sprocket build", "sprocket build ./my-model && sprocket push ./my-model admin/my-model"],
  );
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
