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
      fileURLToPath(new URL("../runner/main.ts", import.meta.url)),
    ],
  };
}
