// Runs the real `sprocket` binary and returns what a user sees: exit code, stdout, stderr.
// XDG_CONFIG_HOME and XDG_CACHE_HOME point at a temporary directory, so no test reads or writes
// the user's own login file or hash cache.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { after } from "node:test";
import { PACKAGE_ROOT, tempDir } from "./harness.ts";

export const CLI = path.join(PACKAGE_ROOT, "bin", "sprocket.mjs");
const home = tempDir("sprocket-cli-home-");
export const CLI_ENV: Record<string, string> = {
  XDG_CONFIG_HOME: path.join(home, "config"),
  XDG_CACHE_HOME: path.join(home, "cache"),
};
/** The environment of every CLI run: the developer's own server and token settings removed. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...CLI_ENV };
  for (const name of ["SPROCKET_URL", "SPROCKET_API_TOKEN", "REPLICATE_API_TOKEN", "SPROCKET_CONFIG"]) delete env[name];
  return { ...env, ...extra };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd ?? PACKAGE_ROOT, env: cliEnv(options.env), timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 124) : 0, stdout, stderr }),
    );
    child.stdin!.end(options.input ?? "");
  });
}

const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** A long-running command (`sprocket dev`), with everything it printed so far. */
export function spawnCli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output(): string } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: PACKAGE_ROOT, env: cliEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (data: string) => (output += data));
  child.stderr!.setEncoding("utf8").on("data", (data: string) => (output += data));
  return { child, output: () => output };
}
