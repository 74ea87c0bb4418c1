#!/usr/bin/env node
// Compiles src/ to dist/ with tsc (tsconfig.build.json) and stamps the build, which
// bin/sprocket.mjs compares with src/ to decide whether dist/ is current.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
rmSync(path.join(root, "dist"), { recursive: true, force: true });
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
} catch {
  console.warn("sprocket build: typescript is not installed (dev dependencies omitted?); sprocket will run from source through tsx");
  process.exit(0);
}
const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (result.status !== 0) {
  // Not fatal for an install: without the stamp, bin/sprocket.mjs runs the source through tsx.
  console.warn("sprocket build: tsc reported errors; sprocket will run from source through tsx");
  process.exit(0);
}
mkdirSync(path.join(root, "dist"), { recursive: true });
writeFileSync(path.join(root, "dist", ".built"), `${new Date().toISOString()}\n`);
