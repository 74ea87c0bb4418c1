import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { AppError } from "../errors/index.ts";
import { collectDirectory, validateManifest, versionIdOf } from "./bundle.ts";

const root = mkdtempSync(path.join(tmpdir(), "sprocket-bundle-"));
after(() => rmSync(root, { recursive: true, force: true }));

function modelDir(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

test("the same content in two directories gets the same version id; one changed byte changes it", () => {
  const files = { "cog.yaml": 'predict: "p.ts:P"\n', "p.ts": "export const P = 1;\n", "lib/x.ts": "x" };
  const a = versionIdOf(collectDirectory(modelDir("a", files)).manifest);
  const b = versionIdOf(collectDirectory(modelDir("b", files)).manifest);
  const c = versionIdOf(collectDirectory(modelDir("c", { ...files, "lib/x.ts": "y" })).manifest);
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test("node_modules, .git and what .sprocketignore lists stay out of the bundle", () => {
  const dir = modelDir("ignored", {
    "cog.yaml": "predict: p.ts:P\n",
    "p.ts": "",
    "node_modules/x/index.js": "",
    ".git/HEAD": "",
    "weights/big.bin": "0000",
    "notes.log": "",
    ".sprocketignore": "weights\n*.log\n",
  });
  assert.deepEqual(Object.keys(collectDirectory(dir).manifest).sort(), [".sprocketignore", "cog.yaml", "p.ts"]);
});

test("a manifest with paths that escape the bundle or collide, bad digests or no cog.yaml is refused", () => {
  const sha = "a".repeat(64);
  const bads = [
    { "../x": sha, "cog.yaml": sha },
    { "/etc/passwd": sha, "cog.yaml": sha },
    { "cog.yaml": "nothex" },
    { "p.ts": sha },
    {},
    [],
    { "cog.yaml": sha, "d/": sha },
    { "cog.yaml": sha, a: sha, "a/b": sha },
  ];
  for (const bad of bads) {
    assert.throws(() => validateManifest(bad), AppError, JSON.stringify(bad));
  }
  assert.deepEqual(validateManifest({ "cog.yaml": sha, "a/b.ts": sha }), { "cog.yaml": sha, "a/b.ts": sha });
});
