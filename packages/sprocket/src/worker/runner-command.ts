import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AppError } from "../errors/index.ts";
import { predictorReferenceOf, runtimeOf, type Runtime } from "../protocol/cog-reference.ts";
import { versionInterpreterFile } from "./python-environment.ts";

/** How to start a runner; the model directory is appended as the last argument. */
export interface RunnerCommand {
  command: string;
  args: string[];
}

export type RunnerCommands = Record<Runtime, RunnerCommand>;

/**
 * The runner of each runtime. The Node runner runs from where the server runs: compiled (dist/,
 * what `npm start` and `sprocket` run after `npm ci`) it starts without tsx, ~140 ms sooner on
 * every cold start (models' own TypeScript loads through runner/typescript-hook.mjs); from source
 * (tests, an edited checkout) through tsx, so it never runs stale code. The Python harness is Python.
 */
export function runnerCommands(execPath: string, python: string): RunnerCommands {
  const compiled = import.meta.url.endsWith(".js");
  return {
    node: {
      command: execPath,
      args: compiled
        ? [fileURLToPath(new URL("../runner/main.js", import.meta.url))]
        : [fileURLToPath(new URL("../../bin/node-ts.mjs", import.meta.url)), fileURLToPath(new URL("../../src/runner/main.ts", import.meta.url))],
    },
    // -u: unbuffered, so the predictor's prints reach the prediction's logs as they happen.
    python: { command: python, args: ["-u", fileURLToPath(new URL("../../python/sprocket_harness.py", import.meta.url))] },
  };
}

/** The runner for the model in `dir`, chosen by its predictor's file type in cog.yaml. */
export function runnerForDir(dir: string, runners: RunnerCommands): RunnerCommand {
  let reference: string | null = null;
  try {
    reference = predictorReferenceOf(readFileSync(path.join(dir, "cog.yaml"), "utf8"));
  } catch (error) {
    throw new AppError("bundle_invalid", `cannot read ${path.join(dir, "cog.yaml")}: ${(error as Error).message}`);
  }
  if (!reference) throw new AppError("bundle_invalid", 'cog.yaml needs `predict:` (or `run:`) naming the predictor, e.g. predict: "predict.py:Predictor"');
  const runtime = runtimeOf(reference);
  // A version whose packages live in their own environment runs with that environment's python.
  const interpreterFile = versionInterpreterFile(dir);
  if (runtime === "python" && existsSync(interpreterFile)) {
    return { ...runners.python, command: readFileSync(interpreterFile, "utf8").trim() };
  }
  return runners[runtime];
}
