import { Command, CommanderError } from "commander";
import { isAppError } from "../errors/index.ts";
import { registerBuild } from "./build.ts";
import { registerDeployments } from "./deployments.ts";
import { registerDev } from "./dev.ts";
import { EXIT, exitCodeOf } from "./exit-codes.ts";
import { registerInit } from "./init.ts";
import { registerLogin } from "./login.ts";
import { registerModels } from "./models.ts";
import { registerPredict } from "./predict.ts";
import { registerPredictions } from "./predictions.ts";
import { registerPush } from "./push.ts";
import { registerRun } from "./run.ts";
import { registerServe } from "./serve.ts";
import { registerServeModel } from "./serve-model.ts";
import { registerToken } from "./token.ts";
import { registerTrain } from "./train.ts";
import { registerWorker } from "./worker.ts";

/** Every command, in the order `sprocket --help` lists them. Each file registers its own. */
const COMMANDS = [registerInit, registerServe, registerWorker, registerBuild, registerPush, registerDev, registerLogin, registerPredict, registerRun, registerTrain, registerServeModel, registerToken, registerModels, registerPredictions, registerDeployments];

export async function main(argv: string[]): Promise<void> {
  quietGlobWarning();
  const debug = argv.includes("--debug") || process.env.SPROCKET_DEBUG === "1";
  const program = new Command("sprocket")
    .description("Self-hosted, Replicate-compatible model serving")
    .option("--debug", "print stack traces with errors")
    // Set before the subcommands are created, so each one inherits them (commander copies them).
    .exitOverride()
    .configureOutput({
      // Usage errors in one line, and where to look next, instead of the whole help text.
      outputError: (message, write) => write(`sprocket: ${message.replace(/^error: /, "").trim()} (see --help)\n`),
    });
  for (const register of COMMANDS) register(program);
  program.addHelpText("after", `\nExit codes: 0 ok, 1 prediction failed, 2 usage, 3 server unreachable, 4 auth, 5 not found,\n6 invalid model, 7 server error, 10 bug (re-run with --debug).`);

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    process.exit(exitCodeFor(error, debug));
  }
}

function exitCodeFor(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // --help and --version "fail" with code 0; anything else commander rejects is a usage error.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (isAppError(error)) {
    process.stderr.write(`sprocket: ${error.message}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error.code);
  }
  const err = error as NodeJS.ErrnoException;
  // A file or directory named on the command line that is not there: the user's mistake, not a bug.
  if (err?.code === "ENOENT" && !debug) {
    process.stderr.write(`sprocket: no such file or directory: ${err.path ?? err.message}\n`);
    return EXIT.usage;
  }
  process.stderr.write(debug ? `${err?.stack ?? String(error)}\n` : `sprocket: ${err?.message ?? String(error)} (re-run with --debug for details)\n`);
  return EXIT.internal;
}

/**
 * Ignore files are matched with path.matchesGlob, which Node 20/22 flag as experimental on first
 * use; on a user's terminal that warning reads like an error in their model, so the CLI drops it.
 */
function quietGlobWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    if (String(warning).includes("glob is an experimental feature")) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
