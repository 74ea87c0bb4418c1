import path from "node:path";
import { AppError } from "../errors/index.ts";
import { InputValidator } from "../predictions/input-validator.ts";
import { Instance, type RunResult } from "../worker/instance.ts";
import { runnerCommands, runnerForDir } from "../worker/runner-command.ts";
import { readModelSchema } from "../worker/schema-reader.ts";
import { modelEnvironment } from "./child-env.ts";

export interface LocalPredictOptions {
  dir: string;
  /** `key=value` pairs as typed on the command line. */
  inputs: string[];
  env: Record<string, string | undefined>;
  execPath: string;
  python: string;
  onLog(data: string): void;
}

/** `sprocket predict`: load the model, validate the inputs against its schema, run it once. */
export async function localPredict(options: LocalPredictOptions): Promise<RunResult & { input: Record<string, unknown> }> {
  const dir = path.resolve(options.dir);
  const runners = runnerCommands(options.execPath, options.python);
  const env = modelEnvironment(options.env);
  const schema = await readModelSchema(dir, runners, env).catch((error: Error) => {
    throw new AppError("bundle_invalid", `the model could not be loaded: ${error.message}`);
  });
  const properties = inputProperties(schema.openapiSchema);
  const raw: Record<string, unknown> = {};
  for (const pair of options.inputs) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new AppError("bad_request", `-i expects key=value, got "${pair}"`);
    const key = pair.slice(0, equals);
    raw[key] = coerce(pair.slice(equals + 1), properties[key]);
  }
  const input = new InputValidator().validate("local", schema.openapiSchema, raw);

  const instance = new Instance({ dir, runner: runnerForDir(dir, runners), env, setupTimeoutMs: 600_000, onInstanceLog: options.onLog, onExit: () => {} });
  try {
    await instance.start();
    const result = await instance.run("local", input, { onLog: options.onLog, onOutput: () => {}, onMetric: () => {} });
    return { ...result, input };
  } finally {
    await instance.shutdown();
  }
}

function inputProperties(openapi: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const schemas = ((openapi.components as Record<string, unknown> | undefined)?.schemas ?? {}) as Record<string, Record<string, unknown>>;
  const properties = (schemas.Input?.properties ?? {}) as Record<string, Record<string, unknown>>;
  // Resolve `allOf: [{$ref}]` (choices) to the enum component, whose `type` says how to parse.
  const resolved: Record<string, Record<string, unknown>> = {};
  for (const [key, property] of Object.entries(properties)) {
    const ref = (property.allOf as { $ref?: string }[] | undefined)?.[0]?.$ref;
    resolved[key] = ref ? { ...property, ...schemas[ref.split("/").pop()!] } : property;
  }
  return resolved;
}

/** Command-line values are text: parse them by the input's declared type. */
function coerce(value: string, property: Record<string, unknown> | undefined): unknown {
  switch (property?.type) {
    case "integer":
    case "number": {
      const number = Number(value);
      return value.trim() !== "" && Number.isFinite(number) ? number : value;
    }
    case "boolean":
      return value === "true" ? true : value === "false" ? false : value;
    case "array":
    case "object":
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    default:
      return value;
  }
}
