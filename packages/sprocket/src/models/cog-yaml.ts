import { parse } from "yaml";
import { AppError } from "../errors/index.ts";
import { cogConcurrencyOf, predictorReferenceOf } from "../protocol/cog-reference.ts";

/** The parts of cog.yaml Sprocket acts on. The whole file is checked to be valid YAML. */
export interface CogConfig {
  predictor: string;
}

export function parseCogYaml(text: string): CogConfig {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new AppError("bundle_invalid", `cog.yaml is not valid YAML: ${(error as Error).message}`);
  }
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new AppError("bundle_invalid", "cog.yaml must be a mapping (key: value lines)");
  }
  const config = document as Record<string, unknown>;
  const predictor = config.predict ?? config.run;
  if (typeof predictor !== "string" || !/^[^:]+:[A-Za-z_$][\w$]*$/.test(predictor)) {
    throw new AppError(
      "bundle_invalid",
      'cog.yaml needs `predict:` (or `run:`) naming the predictor as "FILE:EXPORT", e.g. predict: "predict.ts:Predictor"',
    );
  }
  return { predictor };
}

/**
 * Validates cog.yaml at push and makes sure the runners' light line reader
 * (protocol/cog-reference.ts) reads the same predictor and concurrency as a real YAML parser, so a
 * version that pushes is a version that starts. Forms only YAML understands (a value on the next
 * line, flow mappings) are refused with the form to write instead.
 */
export function checkCogYaml(text: string): CogConfig {
  const config = parseCogYaml(text);
  if (predictorReferenceOf(text) !== config.predictor) {
    throw new AppError("bundle_invalid", `write the predictor on the same line as its key, e.g. predict: "${config.predictor}"`);
  }
  const document = parse(text) as { concurrency?: { max?: unknown } };
  const max = document.concurrency?.max;
  if (max !== undefined && (!Number.isInteger(max) || (max as number) < 1)) {
    throw new AppError("bundle_invalid", "concurrency.max must be a positive integer");
  }
  if (max !== undefined && cogConcurrencyOf(text) !== max) {
    throw new AppError("bundle_invalid", `write concurrency as a block:\nconcurrency:\n  max: ${max}`);
  }
  return config;
}
