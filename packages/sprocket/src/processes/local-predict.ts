import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AppError } from "../errors/index.ts";
import { fileInputNames } from "../predictions/input-fields.ts";
import { InputValidator } from "../predictions/input-validator.ts";
import { STAGED_PREFIX, type StagedFiles } from "../protocol/runner-messages.ts";
import { Instance, type RunResult } from "../worker/instance.ts";
import { runnerCommands, runnerForDir } from "../worker/runner-command.ts";
import { readModelSchema } from "../worker/schema-reader.ts";
import { fetchUrlInputs } from "../worker/url-inputs.ts";
import { modelEnvironment } from "./child-env.ts";
import { dataUriOf, parseInputPairs } from "./cli-inputs.ts";
import { saveFileOutputs } from "./cli-outputs.ts";

export interface LocalPredictOptions {
  dir: string;
  /** `key=value` (or `key=@file`) pairs as typed on the command line. */
  inputs: string[];
  /** Where file outputs are written. */
  outputDir: string;
  env: Record<string, string | undefined>;
  execPath: string;
  python: string;
  /** Largest `@file` input, in bytes (SPROCKET_INPUT_FILE_LIMIT). */
  maxInputBytes: number;
  onLog(data: string): void;
}

export type LocalResult = (Exclude<RunResult, { status: "succeeded" }> | { status: "succeeded"; output: unknown }) & { input: Record<string, unknown>; files: string[] };

/**
 * `sprocket predict`: load the model, validate the inputs against its schema, run it once. `@file`
 * inputs reach the model as local files (through data: URIs, as `cog predict` sends them), and file
 * outputs are written to `outputDir` under their names.
 */
export async function localPredict(options: LocalPredictOptions): Promise<LocalResult> {
  const dir = path.resolve(options.dir);
  const runners = runnerCommands(options.execPath, options.python);
  const env = modelEnvironment(options.env);
  const schema = await readModelSchema(dir, runners, env).catch((error: Error) => {
    throw new AppError("bundle_invalid", `the model could not be loaded: ${error.message}`);
  });
  const raw = await parseInputPairs(options.inputs, schema.openapiSchema, dataUriOf);
  const input = new InputValidator().validate("local", schema.openapiSchema, raw);
  const prepared = await fetchUrlInputs(input, fileInputNames(schema.openapiSchema), { maxBytes: options.maxInputBytes, timeoutMs: 120_000, allowPrivate: false });

  // File outputs are staged by the runner (as under `sprocket serve`), then moved to outputDir.
  const staging = mkdtempSync(path.join(tmpdir(), "sprocket-predict-"));
  const files: StagedFiles = {};
  const instance = new Instance({
    dir,
    runner: runnerForDir(dir, runners),
    env: { ...env, SPROCKET_OUTPUT_DIR: staging },
    setupTimeoutMs: 600_000,
    onInstanceLog: options.onLog,
    onExit: () => {},
  });
  try {
    await instance.start();
    const result = await instance.run("local", prepared.input, {
      onLog: options.onLog,
      onOutput: (_item, staged) => Object.assign(files, staged),
      onMetric: () => {},
    });
    if (result.status !== "succeeded") return { ...result, input, files: [] };
    Object.assign(files, result.files);
    const saved = await saveFileOutputs(result.output, options.outputDir, async (value) => {
      const staged = value.startsWith(STAGED_PREFIX) ? files[value.slice(STAGED_PREFIX.length)] : undefined;
      return staged ? { name: staged.name, from: staged.path } : null;
    });
    return { status: "succeeded", output: saved.output, input, files: saved.written };
  } finally {
    await instance.shutdown();
    await prepared.cleanup();
    rmSync(staging, { recursive: true, force: true });
  }
}
