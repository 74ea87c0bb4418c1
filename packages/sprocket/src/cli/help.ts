import type { Command } from "commander";

/** Adds an "Examples:" block to a command's --help: the fastest way to learn a command. */
export function examples(command: Command, lines: string[]): Command {
  return command.addHelpText("after", `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`);
}

/** `-i key=value`, repeatable. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
