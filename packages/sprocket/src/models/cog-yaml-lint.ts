import { existsSync } from "node:fs";
import path from "node:path";
import { isMap, isScalar, LineCounter, parseDocument, type Pair } from "yaml";
import { AppError, isAppError } from "../errors/index.ts";
import { checkCogYaml, type CogConfig } from "./cog-yaml.ts";

/** Cog's configuration schema (config_schema_v1.0.json, 0.16 and HEAD): `additionalProperties: false`. */
const TOP_LEVEL = ["build", "image", "predict", "run", "train", "concurrency", "environment", "tests", "model", "weights"];
const BUILD = [
  "gpu", "cuda", "cudnn", "python_version", "python_requirements", "python_packages", "system_packages",
  "pre_install", "run", "fast", "cog_runtime", "python_overrides", "sdk_version",
];
const CONCURRENCY = ["max", "default_target"];
const ENVIRONMENT_ITEM = /^[A-Za-z_][A-Za-z0-9_]*=[^\s]+$/;

/**
 * `sprocket build`'s check of a model directory's cog.yaml, stricter than what the server needs to
 * run it: every mistake is reported as `cog.yaml:LINE: problem — fix`, before anything is uploaded,
 * with the same rules Cog applies (unknown keys are refused) plus the files it names existing.
 */
export function lintCogYaml(dir: string, text: string): CogConfig {
  const file = path.join(dir, "cog.yaml");
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const fail = (offset: number | undefined, message: string): never => {
    const line = offset === undefined ? 1 : lines.linePos(offset).line;
    throw new AppError("bundle_invalid", `${file}:${line}: ${message}`);
  };
  if (document.errors.length > 0) {
    const error = document.errors[0];
    fail(error.pos[0], `not valid YAML (${error.message.split("\n")[0]}) — check the indentation and quoting on this line`);
  }
  const root = document.contents;
  if (!isMap(root)) fail(0, 'cog.yaml must be a mapping of keys, e.g. predict: "predict.py:Predictor"');
  const offsetOf = (pair: Pair | undefined) => (pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined);
  const pairsOf = (map: unknown): Pair[] => (isMap(map) ? (map.items as Pair[]) : []);
  const keyOf = (pair: Pair) => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key));
  const checkKeys = (pairs: Pair[], allowed: string[], where: string) => {
    for (const pair of pairs) {
      const key = keyOf(pair);
      if (allowed.includes(key)) continue;
      const near = allowed.find((candidate) => distance(candidate, key) <= 2);
      fail(offsetOf(pair), `unknown key "${where}${key}"${near ? ` — did you mean "${where}${near}"?` : ` — Cog allows ${allowed.join(", ")}`}`);
    }
  };
  const top = pairsOf(root);
  const find = (pairs: Pair[], key: string) => pairs.find((pair) => keyOf(pair) === key);
  checkKeys(top, TOP_LEVEL, "");
  const build = find(top, "build");
  checkKeys(pairsOf(build?.value), BUILD, "build.");
  const concurrency = find(top, "concurrency");
  checkKeys(pairsOf(concurrency?.value), CONCURRENCY, "concurrency.");

  const environment = find(top, "environment");
  const items = (environment?.value as { items?: unknown[] } | undefined)?.items ?? [];
  for (const item of items) {
    if (isScalar(item) && !ENVIRONMENT_ITEM.test(String(item.value))) {
      fail(item.range?.[0], `environment item "${String(item.value)}" must be NAME=value with no spaces`);
    }
  }

  // The server's own rules (predictor reference, build types, concurrency form), placed on a line.
  let config: CogConfig;
  try {
    config = checkCogYaml(text);
  } catch (error) {
    if (!isAppError(error)) throw error;
    const mentioned = ["concurrency", "build", "predict", "run"].find((key) => error.message.includes(key));
    const pair = mentioned ? find(top, mentioned) ?? find(top, "run") : undefined;
    return fail(offsetOf(pair), error.message.replace(/^cog\.yaml:?\s*/, ""));
  }

  const predictor = find(top, "predict") ?? find(top, "run");
  const predictorFile = config.predictor.split(":")[0];
  if (!existsSync(path.join(dir, predictorFile))) {
    fail(offsetOf(predictor), `${predictorFile} does not exist in ${dir} — fix the path in "${config.predictor}" or create the file`);
  }
  const requirements = config.build.pythonRequirements;
  if (requirements && !existsSync(path.join(dir, requirements))) {
    fail(offsetOf(find(pairsOf(build?.value), "python_requirements")), `${requirements} does not exist in ${dir} — fix build.python_requirements or create the file`);
  }
  return config;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length];
}
