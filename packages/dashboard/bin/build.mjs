#!/usr/bin/env node
// Builds the dashboard into dist/ with vite (run by the root `prepare` script, so `npm ci` leaves a
// built dashboard that `sprocket serve` serves at /). A failed build is a warning, never a failed
// install: the API works without the dashboard, and `/` then says how to build it.
import { spawnSync } from "node:child_process";
import { renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
let vite;
try {
  vite = path.join(path.dirname(createRequire(import.meta.url).resolve("vite/package.json")), "bin", "vite.js");
} catch {
  console.warn("dashboard build: vite is not installed; the dashboard is not built (npm install, then npm run build -w packages/dashboard)");
  process.exit(0);
}
const started = Date.now();
// Built beside dist/ and swapped in whole, so a running server (or a test) never serves a
// half-written dist/ while this runs.
const dist = path.join(root, "dist");
const fresh = path.join(root, `.dist-build-${process.pid}`);
const stale = path.join(root, `.dist-old-${process.pid}`);
const result = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn", "--outDir", fresh, "--emptyOutDir"], { cwd: root, stdio: "inherit" });
if (result.status !== 0) {
  rmSync(fresh, { recursive: true, force: true });
  console.warn("dashboard build: vite build failed (above); sprocket serve will answer / with how to build it");
  process.exit(process.argv.includes("--strict") ? 1 : 0);
}
try {
  renameSync(dist, stale);
} catch {
  // no previous build
}
renameSync(fresh, dist);
rmSync(stale, { recursive: true, force: true });
console.log(`dashboard build: packages/dashboard/dist in ${Date.now() - started} ms`);
