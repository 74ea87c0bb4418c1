import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../errors/index.ts";
import { checkCogYaml, parseCogYaml } from "./cog-yaml.ts";

test("cog.yaml names the predictor with predict: or Cog's newer run:", () => {
  assert.equal(parseCogYaml('build:\n  gpu: false\npredict: "predict.ts:Predictor"\n').predictor, "predict.ts:Predictor");
  assert.equal(parseCogYaml("run: run.py:Runner\n").predictor, "run.py:Runner");
});

test("a cog.yaml that is not YAML, or names no predictor, is refused with a message saying what to write", () => {
  assert.throws(() => parseCogYaml("predict: [unclosed"), (e: unknown) => e instanceof AppError && /not valid YAML/.test(e.message));
  assert.throws(() => parseCogYaml("build: {}\n"), (e: unknown) => e instanceof AppError && /predict:/.test(e.message));
});

test("a push is refused when the runners would read cog.yaml differently from a YAML parser", () => {
  assert.throws(() => checkCogYaml('predict:\n  "predict.ts:Predictor"\n'), /same line/);
  assert.throws(() => checkCogYaml('predict: "p.ts:P"\nconcurrency: {max: 4}\n'), /as a block/);
  assert.throws(() => checkCogYaml('predict: "p.ts:P"\nconcurrency:\n  max: zero\n'), /positive integer/);
  assert.equal(checkCogYaml('predict: "p.ts:P"\nconcurrency:\n  max: 4\n').predictor, "p.ts:P");
});
