import { parse } from "yaml";
import { AppError } from "../errors/index.ts";

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
