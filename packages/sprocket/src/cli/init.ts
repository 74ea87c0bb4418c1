import type { Command } from "commander";
import { AppError } from "../errors/index.ts";
import { scaffold } from "../processes/scaffold.ts";
import { examples } from "./help.ts";

export function registerInit(program: Command): void {
  examples(
    program
      .command("init")
      .description("Create a model directory: cog.yaml, a predictor with one input, .sprocketignore and a README")
      .argument("[dir]", "where to create it (made if missing)", ".")
      .option("--python", "a Python (Cog) predictor: predict.py (the default)")
      .option("--typescript", "a TypeScript predictor: predict.ts")
      .action((dir: string, options: { python?: boolean; typescript?: boolean }) => {
        if (options.python && options.typescript) throw new AppError("bad_request", "choose one of --python and --typescript");
        const language = options.typescript ? "typescript" : "python";
        const files = scaffold(dir, language);
        process.stderr.write(`created ${files.join(", ")} in ${dir}\nnext: sprocket predict ${dir} -i name=Ada\n`);
      }),
    ["sprocket init my-model", "sprocket init --typescript my-model && sprocket predict my-model -i name=Ada"],
  );
}
