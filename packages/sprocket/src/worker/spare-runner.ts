import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import type { RunnerCommand } from "./runner-command.ts";

/**
 * One Node runner process started ahead of need: Node and Sprocket's runner code are loaded, no
 * model yet. A cold start takes it and sends `setup` with the model's directory, so what the first
 * prediction waits for is the model's own import and setup(), not Node's start-up (measured in
 * bench:cold: the runner's start is ~120 ms of a ~150 ms TS cold start).
 *
 * Only for CPU instances of the Node runtime: a GPU instance's device must be in its environment
 * before anything loads, and Python runners vary by version (each version's own interpreter).
 * The next spare starts only after the one taken finished its setup, so it never competes with a
 * cold start for the CPU. A spare that dies idle is not replaced until the next cold start asks,
 * so a runner that cannot start never becomes a fork loop.
 */
export class SpareRunner {
  private spare: ChildProcess | null = null;
  private stopped = false;

  constructor(
    private readonly runner: RunnerCommand,
    private readonly env: Record<string, string>,
    private readonly log: (message: string) => void,
  ) {}

  /** The spare, if it runs this runner and is alive; the caller owns it from now on. */
  take(runner: RunnerCommand): ChildProcess | null {
    if (runner !== this.runner) return null;
    const spare = this.spare;
    this.spare = null;
    if (!spare || spare.exitCode !== null || spare.signalCode !== null) return null;
    // Hand it over with no listeners of ours: the instance attaches its own.
    spare.removeAllListeners("exit");
    spare.removeAllListeners("error");
    for (const stream of [spare.stdout, spare.stderr, spare.stdio[3]]) stream?.removeAllListeners("data");
    return spare;
  }

  /** Starts a spare unless one is waiting (after a cold start's setup, and once at start). */
  refill(): void {
    if (this.stopped || this.spare) return;
    const child = spawn(this.runner.command, [...this.runner.args, "--spare"], {
      cwd: os.tmpdir(),
      env: this.env,
      stdio: ["pipe", "pipe", "pipe", "pipe"],
    });
    child.stdin!.on("error", () => {});
    // Nothing is expected before setup; anything printed is worth a line in the server's log.
    for (const stream of [child.stdout!, child.stderr!]) stream.on("data", (data: Buffer) => this.log(`[spare runner pid ${child.pid}] ${data.toString("utf8").trimEnd()}`));
    child.stdio[3]!.on("data", () => {});
    child.on("error", (error) => this.log(`spare runner could not start: ${error.message}`));
    child.on("exit", () => {
      if (this.spare === child) this.spare = null;
    });
    this.spare = child;
  }

  stop(): void {
    this.stopped = true;
    this.spare?.kill("SIGKILL");
    this.spare = null;
  }
}
