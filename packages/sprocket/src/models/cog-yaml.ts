import { parse } from "yaml";
import { AppError } from "../errors/index.ts";
import { cogConcurrencyOf, predictorReferenceOf, type CogBuild } from "../protocol/cog-reference.ts";

/** The parts of cog.yaml Sprocket acts on. The whole file is checked to be valid YAML. */
export interface CogConfig {
  predictor: string;
  /** 1-based line of the `predict:` / `run:` entry, for error messages. */
  predictorLine: number;
  build: CogBuild;
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
  const predictorLine = text.split("\n").findIndex((line) => /^(predict|run):/.test(line)) + 1;
  return { predictor, predictorLine, build: parseBuild(config.build) };
}

function parseBuild(value: unknown): CogBuild {
  const build = value === undefined || value === null ? {} : value;
  if (typeof build !== "object" || Array.isArray(build)) throw new AppError("bundle_invalid", "cog.yaml: build must be a mapping");
  const b = build as Record<string, unknown>;
  const strings = (key: string): string[] => {
    const list = b[key];
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
      throw new AppError("bundle_invalid", `cog.yaml: build.${key} must be a list of strings`);
    }
    return list as string[];
  };
  const text = (key: string): string | null => {
    const item = b[key];
    if (item === undefined || item === null) return null;
    if (typeof item !== "string" && typeof item !== "number") throw new AppError("bundle_invalid", `cog.yaml: build.${key} must be a string`);
    return String(item);
  };
  if (b.python_packages !== undefined && b.python_requirements !== undefined) {
    throw new AppError("bundle_invalid", "cog.yaml: build.python_packages and build.python_requirements cannot both be set (Cog's rule); keep one");
  }
  // build.run items are strings or {command, mounts}.
  const run = Array.isArray(b.run) ? b.run.map((item) => (typeof item === "string" ? item : String((item as { command?: unknown })?.command ?? ""))) : [];
  return {
    pythonVersion: text("python_version"),
    pythonPackages: strings("python_packages"),
    pythonRequirements: text("python_requirements"),
    systemPackages: strings("system_packages"),
    run,
    gpu: b.gpu === true,
    cuda: text("cuda"),
  };
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
