import { readFileSync } from "node:fs";
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { cogConcurrencyOf, predictorReferenceOf, trainReferenceOf } from "../protocol/cog-reference.ts";
import { isPredictorDefinition, type PredictorDefinition } from "../sdk/index.ts";

let hookRegistered = false;

/**
 * Makes `import "sprocket"` in a model resolve to this package's SDK (see resolve-hook.mjs), and
 * the model's TypeScript load without tsx (see typescript-hook.mjs; registered last, so it runs
 * first). The hooks are plain .mjs under src/, found from src/ and dist/ alike; the SDK is the one
 * this runner runs from, so the model and the runner share one SDK module.
 */
export function registerModelResolution(modelDir: string): void {
  if (hookRegistered) return;
  hookRegistered = true;
  const fromSource = import.meta.url.endsWith(".ts");
  register(new URL("../../src/runner/resolve-hook.mjs", import.meta.url), {
    data: {
      sdkUrl: new URL(fromSource ? "../sdk/index.ts" : "../sdk/index.js", import.meta.url).href,
      fallbackParent: new URL("../../package.json", import.meta.url).href,
      modelRoot: path.resolve(modelDir) + path.sep,
    },
  });
  register(new URL("../../src/runner/typescript-hook.mjs", import.meta.url));
}

const PREDICTOR_MISSING =
  'cog.yaml has no `predict:` (or `run:`) entry naming the predictor, e.g. predict: "predict.ts:Predictor"';

export function predictorReference(dir: string): string {
  const reference = predictorReferenceOf(readFileSync(path.join(dir, "cog.yaml"), "utf8"));
  if (!reference) throw new Error(PREDICTOR_MISSING);
  return reference;
}

/** cog.yaml's `train:` reference, or null. */
export function trainReference(dir: string): string | null {
  return trainReferenceOf(readFileSync(path.join(dir, "cog.yaml"), "utf8"));
}

export function cogConcurrency(dir: string): number {
  return cogConcurrencyOf(readFileSync(path.join(dir, "cog.yaml"), "utf8"));
}

export async function loadPredictor(dir: string, reference: string): Promise<PredictorDefinition> {
  const colon = reference.lastIndexOf(":");
  if (colon <= 0) throw new Error(`predictor reference "${reference}" must look like "predict.ts:Predictor"`);
  const file = reference.slice(0, colon);
  const exportName = reference.slice(colon + 1);
  if (!/\.(ts|mts|js|mjs)$/.test(file)) {
    throw new Error(`predictor file "${file}" is not TypeScript or JavaScript (.ts, .mts, .js, .mjs); Python predictors are run by the Python harness`);
  }
  registerModelResolution(dir);
  const module = (await import(pathToFileURL(path.resolve(dir, file)).href)) as Record<string, unknown>;
  const exported = module[exportName];
  if (exported === undefined) {
    throw new Error(`${file} has no export named "${exportName}" (exports: ${Object.keys(module).join(", ") || "none"})`);
  }
  if (!isPredictorDefinition(exported)) {
    throw new Error(`${file}:${exportName} is not a predictor; create it with definePredictor({ inputs, predict }) from "sprocket"`);
  }
  return exported;
}
