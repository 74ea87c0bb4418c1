// The model-side TypeScript loader on its own, in a plain `node` without tsx (as the compiled
// runner runs models): type-only syntax is stripped, "./x.js" finds x.ts, and the transform is
// cached by content so an edit is never served stale.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";

const dir = mkdtempSync(path.join(tmpdir(), "sprocket-ts-hook-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const hooks = {
  resolve: new URL("./resolve-hook.mjs", import.meta.url).href,
  typescript: new URL("./typescript-hook.mjs", import.meta.url).href,
};
const resolveData = { sdkUrl: "", fallbackParent: new URL("../../package.json", import.meta.url).href, modelRoot: dir + path.sep };

/** Imports `file` in a fresh node with the runner's two hooks (as load-predictor.ts registers them), printing its `answer` export. */
function runPlainNode(file: string): { status: number | null; stdout: string; stderr: string } {
  const script = `import { register } from "node:module";
register(${JSON.stringify(hooks.resolve)}, { data: ${JSON.stringify(resolveData)} }); register(${JSON.stringify(hooks.typescript)});
const m = await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(JSON.stringify(m.answer));`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

test("a model's TypeScript (types, enums, a ./x.js import of x.ts) runs without tsx", () => {
  writeFileSync(path.join(dir, "util.ts"), "export enum Mood { Happy = 'happy' }\nexport interface Greeting { text: string }\n");
  writeFileSync(
    path.join(dir, "predict.ts"),
    "import { Mood, type Greeting } from './util.js';\nconst g: Greeting = { text: `hi ${Mood.Happy}` };\nexport const answer: string = g.text;\n",
  );
  // No package.json: resolve-hook.mjs makes the model's .ts files ES modules.
  const first = runPlainNode(path.join(dir, "predict.ts"));
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stdout, '"hi happy"');
});

test("an edited file is transformed again, not served from the cache", () => {
  const file = path.join(dir, "edit.ts");
  writeFileSync(file, "export const answer: number = 1;\n");
  assert.equal(runPlainNode(file).stdout, "1");
  writeFileSync(file, "export const answer: number = 2;\n");
  assert.equal(runPlainNode(file).stdout, "2");
});
