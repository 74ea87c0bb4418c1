// The import rules of docs/architecture/00-overview.md §Layout, enforced: each folder of src/ may
// import only the folders listed here, and only composition roots pick concrete adapters.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const src = fileURLToPath(new URL("../src/", import.meta.url));
const ADAPTERS = ["store", "queue", "events", "files"];
const BASE = ["protocol", "errors", "lib"];

const ALLOWED: Record<string, string[]> = {
  protocol: [],
  sdk: ["protocol"],
  errors: ["protocol"],
  lib: ["protocol"],
  config: ["errors"],
  store: [...BASE, "config"],
  queue: [...BASE, "config"],
  events: [...BASE, "config"],
  files: [...BASE, "config"],
  accounts: [...BASE, "config", ...ADAPTERS],
  uploads: [...BASE, "config", ...ADAPTERS],
  predictions: [...BASE, "config", ...ADAPTERS],
  models: [...BASE, "config", ...ADAPTERS],
  scheduler: [...BASE, "config", ...ADAPTERS, "predictions", "models", "webhooks"],
  webhooks: [...BASE, "config", ...ADAPTERS, "predictions"],
  worker: [...BASE, "config", "queue", "predictions", "files", "events"],
  runner: ["sdk", "protocol", "lib"],
  "cog-server": [...BASE, "config", "predictions", "worker"],
  api: [...BASE, "config", ...ADAPTERS, "accounts", "uploads", "predictions", "models", "webhooks"],
  // processes/ may import anything (not checked).
  cli: ["processes", "protocol", "config", "errors"],
};
/** Concrete adapters: only composition roots (processes/) construct them. */
const CONCRETE = ["store/sqlite-store.ts", "store/postgres-store.ts", "queue/local-queue.ts", "queue/redis-queue.ts", "events/local-event-bus.ts", "events/redis-event-bus.ts", "files/local-blob-store.ts", "files/s3-blob-store.ts", "files/s3-client.ts"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mjs)$/.test(entry.name) && !entry.name.includes(".test.") && entry.name !== "contract.ts" ? [full] : [];
  });
}

test("every folder of src/ imports only what the architecture allows", () => {
  const violations: string[] = [];
  let checked = 0;
  for (const file of sourceFiles(src)) {
    const folder = path.relative(src, file).split(path.sep)[0];
    if (folder === "processes") continue;
    const allowed = ALLOWED[folder];
    assert.ok(allowed, `src/${folder} is a folder the architecture does not describe; add it to docs and to this test`);
    for (const match of readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      const target = path.relative(src, path.resolve(path.dirname(file), match[1]));
      const targetFolder = target.split(path.sep)[0];
      checked++;
      if (targetFolder === folder || targetFolder.startsWith("..")) continue;
      if (!allowed.includes(targetFolder)) violations.push(`${path.relative(src, file)} → ${target}`);
      if (CONCRETE.includes(target.split(path.sep).join("/"))) violations.push(`${path.relative(src, file)} → ${target} (concrete adapter)`);
    }
  }
  assert.ok(checked > 50, `only ${checked} imports were seen: the import pattern no longer matches the code`);
  assert.deepEqual(violations, []);
});
