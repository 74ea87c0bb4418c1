// The few cog.yaml facts every side needs before any model code runs: which file and export is
// the predictor, which runtime loads it, and Cog's concurrency.max. Read from the text with
// patterns so the runner and worker stay light; the server validates the whole file with a real
// YAML parser when a version is pushed (models/cog-yaml.ts).

export type Runtime = "node" | "python";

/** `predict:` (or Cog's newer top-level `run:`), e.g. "predict.ts:Predictor"; null if absent. */
export function predictorReferenceOf(cogYaml: string): string | null {
  const match = /^(?:predict|run):[ \t]*["']?([^"'\s#]+)["']?/m.exec(cogYaml);
  return match ? match[1] : null;
}

/** `train:`, e.g. "train.py:train" (a function, or a class with train()); null if absent. */
export function trainReferenceOf(cogYaml: string): string | null {
  const match = /^train:[ \t]*["']?([^"'\s#]+)["']?/m.exec(cogYaml);
  return match ? match[1] : null;
}

/** Cog's `concurrency: { max: N }`, or 1. */
export function cogConcurrencyOf(cogYaml: string): number {
  const match = /^concurrency:[ \t]*\r?\n(?:[ \t]+.*\r?\n)*?[ \t]+max:[ \t]*(\d+)/m.exec(cogYaml);
  return match ? Math.max(1, Number(match[1])) : 1;
}

/** Python for `.py` predictors, Node for TypeScript and JavaScript. */
export function runtimeOf(reference: string): Runtime {
  return /\.py:/.test(reference) ? "python" : "node";
}

/** cog.yaml's `build:` section, as far as a host without Docker can act on it. */
export interface CogBuild {
  pythonVersion: string | null;
  pythonPackages: string[];
  pythonRequirements: string | null;
  systemPackages: string[];
  run: string[];
  gpu: boolean;
  cuda: string | null;
}
