#!/usr/bin/env -S node --max-semi-space-size=4
// The `sprocket` command. The shebang's V8 flag (also in `npm start`; see src/config/server-node-flags.ts)
// caps the young generation at 4 MiB per semi-space: the idle server keeps ~30 MiB less after load,
// at no measured cost in latency or throughput (bench/README.md).
// Runs the compiled server in dist/ (built by `npm ci` through the root
// `prepare` script) when it is up to date with src/; otherwise runs the TypeScript source through
// tsx, so an edited checkout never runs stale code.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stamp = path.join(root, "dist", ".built");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const compiled = existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource(path.join(root, "src"));
let main;
if (compiled && process.env.SPROCKET_FROM_SOURCE !== "1") {
  ({ main } = await import("../dist/cli/main.js"));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
await main(process.argv.slice(2));
