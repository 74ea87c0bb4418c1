import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { lineDecoder, type RunnerToWorker } from "../protocol/runner-messages.ts";
import { runnerForDir, type RunnerCommands } from "./runner-command.ts";

export interface ModelSchema {
  predictor: string;
  openapiSchema: Record<string, unknown>;
}

/**
 * Loads a model directory in a throwaway runner and returns its predictor reference and OpenAPI
 * schema. The model's module is imported (its top level runs) but setup() is not.
 */
export function readModelSchema(dir: string, runners: RunnerCommands, env: Record<string, string>, timeoutMs = 60_000): Promise<ModelSchema> {
  return new Promise((resolve, reject) => {
    const runner = runnerForDir(dir, runners);
    const child = spawn(runner.command, [...runner.args, "--schema", dir], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe", "pipe"] });
    child.on("error", (error) => settle(() => reject(new Error(`cannot start ${runner.command}: ${error.message}`))));
    let output = "";
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle(() => reject(new Error(`loading the model took longer than ${timeoutMs / 1000} s`)));
    }, timeoutMs);
    for (const stream of [child.stdout!, child.stderr!]) stream.on("data", (d) => (output = (output + d).slice(-4000)));
    const replies = child.stdio[3] as Readable;
    replies.setEncoding("utf8");
    replies.on(
      "data",
      lineDecoder<RunnerToWorker>(
        (message) => {
          if (message.type === "schema") settle(() => resolve({ predictor: message.predictor, openapiSchema: message.openapi_schema }));
          else if (message.type === "setup_failed") settle(() => reject(new Error(message.error)));
          else if (message.type === "log") output = (output + message.data).slice(-4000);
        },
        () => {},
      ),
    );
    child.on("exit", (code) =>
      settle(() => reject(new Error(`the model's process exited (code ${code}) before reporting its schema${output ? `:\n${output}` : ""}`))),
    );
  });
}
