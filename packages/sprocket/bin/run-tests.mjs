#!/usr/bin/env node
// Runs the test suites: the Python harness's unittest suite, then every *.test.ts under src/ and
// test/ with Node's test runner (tsx as the loader; Node 20's --test does not expand globs).
// Usage: node bin/run-tests.mjs [filter…]   — a filter keeps the .test.ts files whose path
// contains it; the Python suite runs when there is no filter or one of them is "python". A full run
// then runs the e2e files again in scale-out mode (PostgreSQL + Redis; see NOT_IN_SCALE_OUT).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const filters = process.argv.slice(2);

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name === "fixtures" ? [] : find(full);
    return entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

const files = ["src", "test"]
  .flatMap((dir) => find(path.join(root, dir)))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
const withPython = filters.length === 0 || filters.includes("python");
if (files.length === 0 && !withPython) {
  console.error("no test files matched");
  process.exit(1);
}

// Python first, so Node's summary stays the last thing printed. Without python3 it is skipped,
// saying so (CI has python3, so it always runs there).
let pythonStatus = 0;
if (withPython) {
  const python = process.env.SPROCKET_PYTHON || "python3";
  if (spawnSync(python, ["--version"]).status !== 0) {
    console.log(`SKIPPED: the Python harness tests (${python} not found; set SPROCKET_PYTHON to run them)`);
  } else {
    console.log("Python harness tests (unittest):");
    pythonStatus = spawnSync(python, ["-m", "unittest", "discover", "-s", "tests"], { cwd: path.join(root, "python"), stdio: "inherit" }).status ?? 1;
  }
}

let nodeStatus = 0;
if (files.length > 0) {
  const args = ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files];
  nodeStatus = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" }).status ?? 1;
}

/**
 * e2e files the scale-out pass leaves out, and why. Every other e2e file runs a second time with
 * each server on PostgreSQL + Redis (SPROCKET_E2E_SCALE_OUT=1, see test/e2e/harness.ts).
 */
const NOT_IN_SCALE_OUT = {
  "queue.test.ts": "asserts the sprocket_queue position of a job the instant it is created; in scale-out a job has one only once a worker host has claimed it",
  "gpus.test.ts": "asserts sprocket_queue reasons (as queue.test.ts)",
  "host-limits.test.ts": "asserts sprocket_queue reasons (as queue.test.ts)",
  "examples.test.ts": "runs the bundled examples, not server behaviour (and is the slowest file)",
  "browser-cors.test.ts": "a browser page's CORS, the same code in both modes",
  "dashboard.test.ts": "the dashboard's pages, the same code in both modes",
  "cli-dev.test.ts": "the local `sprocket dev` loop",
  "serve-model.test.ts": "`sprocket serve-model`, which has no store or queue",
  "postgres-mode.test.ts": "sets its own database",
  "scale-out.test.ts": "sets its own scale-out",
  "worker-hosts.test.ts": "sets its own scale-out",
  "redis-lost.test.ts": "sets its own Redis",
  "database-lost.test.ts": "sets its own PostgreSQL",
  "s3-mode.test.ts": "sets its own database and bucket",
};
const scaleOut = files.filter((file) => file.includes(`${path.sep}e2e${path.sep}`) && !(path.basename(file) in NOT_IN_SCALE_OUT));
let scaleOutStatus = 0;
// On a full run (no filter). With a filter, SPROCKET_E2E_SCALE_OUT=1 runs the chosen files in scale-out mode instead.
if (scaleOut.length > 0 && filters.length === 0 && process.env.SPROCKET_E2E_SCALE_OUT !== "1") {
  const unreachable = await servicesUnreachable();
  if (unreachable) {
    console.log(`SKIPPED: the e2e suite in scale-out mode (${unreachable})`);
  } else {
    console.log(`\nThe e2e suite again in scale-out mode (PostgreSQL + Redis): ${scaleOut.length} files`);
    const args = ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...scaleOut];
    scaleOutStatus = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env: { ...process.env, SPROCKET_E2E_SCALE_OUT: "1" } }).status ?? 1;
  }
}
process.exit(pythonStatus || nodeStatus || scaleOutStatus);

/** Why the machine's PostgreSQL or Redis cannot be used, or null when both answer. */
async function servicesUnreachable() {
  const { connect } = await import("node:net");
  const check = (url, fallbackPort) =>
    new Promise((resolve) => {
      const { hostname, port } = new URL(url);
      const socket = connect({ host: hostname, port: Number(port || fallbackPort) });
      socket.setTimeout(2000, () => (socket.destroy(), resolve(`nothing answers at ${hostname}:${port || fallbackPort}`)));
      socket.once("connect", () => (socket.end(), resolve(null)));
      socket.once("error", (error) => resolve(`${hostname}:${port || fallbackPort}: ${error.message}`));
    });
  return (
    (await check(process.env.SPROCKET_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test", 5432)) ??
    (await check(process.env.SPROCKET_TEST_REDIS_URL || "redis://127.0.0.1:6379", 6379))
  );
}
