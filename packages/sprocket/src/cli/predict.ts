import { loadConfig } from "../config/index.ts";
import { localPredict } from "../processes/local-predict.ts";

export async function runPredict(dir: string, options: { input: string[]; json?: boolean }): Promise<void> {
  const result = await localPredict({
    dir,
    inputs: options.input,
    env: process.env,
    execPath: process.execPath,
    python: loadConfig({ env: process.env }).python,
    onLog: (data) => process.stderr.write(data),
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.status === "succeeded") {
    const output = result.output;
    process.stdout.write(`${typeof output === "string" ? output : JSON.stringify(output, null, 2)}\n`);
  } else {
    process.stderr.write(result.status === "failed" ? `prediction failed: ${result.error}\n` : "prediction canceled\n");
  }
  if (result.status !== "succeeded") process.exitCode = 1;
}
