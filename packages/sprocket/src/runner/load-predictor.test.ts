import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { cogConcurrency, predictorReference } from "./load-predictor.ts";

const dir = mkdtempSync(path.join(tmpdir(), "sprocket-runner-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const withCogYaml = (text: string) => (writeFileSync(path.join(dir, "cog.yaml"), text), dir);

test("the predictor comes from predict: or run:, quoted or not", () => {
  assert.equal(predictorReference(withCogYaml('predict: "predict.ts:Predictor"\n')), "predict.ts:Predictor");
  assert.equal(predictorReference(withCogYaml("build:\n  gpu: false\nrun: run.mjs:Runner # newer Cog\n")), "run.mjs:Runner");
  assert.throws(() => predictorReference(withCogYaml("build: {}\n")), /predict:/);
});

test("cog.yaml's concurrency.max sets how many predictions an instance takes; absent means 1", () => {
  assert.equal(cogConcurrency(withCogYaml('predict: "p.ts:P"\nconcurrency:\n  default_target: 4\n  max: 16\n')), 16);
  assert.equal(cogConcurrency(withCogYaml('predict: "p.ts:P"\n')), 1);
});
