#!/usr/bin/env node
// Runs the test suites: the Python harness's unittest suite, then every *.test.ts under src/ and
// test/ with Node's test runner (tsx as the loader; Node 20's --test does not expand globs).
// Usage: node bin/run-tests.mjs [filter…]   — a filter keeps the .test.ts files whose path
// contains it; the Python suite runs when there is no filter or one of them is "python".
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
process.exit(pythonStatus || nodeStatus);
