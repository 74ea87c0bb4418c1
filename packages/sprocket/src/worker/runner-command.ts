import { fileURLToPath } from "node:url";

/** How to start a Node runner: this Node, tsx's loader, the runner's entry file. */
export interface RunnerCommand {
  command: string;
  args: string[];
}

export function nodeRunnerCommand(execPath: string): RunnerCommand {
  return {
    command: execPath,
    args: [
      fileURLToPath(new URL("../../bin/node-ts.mjs", import.meta.url)),
      // Always the TypeScript source (also when the server runs from dist/): the runner loads
      // predictors through tsx anyway.
      fileURLToPath(new URL("../../src/runner/main.ts", import.meta.url)),
    ],
  };
}
