// What one benchmark run owns and how it ends: the processes it started or found (stopped at the
// end, their descendants included), its temp dir, the requests that failed, and the watchdog and
// signals that cut it short. Each benchmark makes one RunContext and hands its main() to execute().
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LoadResult } from "./load-client.ts";
import { descendants, stopAll, type ChildInfo } from "./processes.ts";

/** The whole run, cleanup included, stays under two minutes. */
export const RUN_DEADLINE_MS = 110_000;

/** A progress line on stderr. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export interface RunOptions {
  /** Prefix of the temp dir made under os.tmpdir(). */
  tmpPrefix: string;
  /** When the watchdog stops everything (RUN_DEADLINE_MS by default). */
  deadlineMs?: number;
  /** How many failure samples the final report lists (all of them by default). */
  maxFailureSamples?: number;
  /** How a load run's failures are announced as they happen (by default a bare line on stderr). */
  announceLoadFailures?: (message: string) => void;
}

export class RunContext {
  readonly tmp: string;
  /** Every process this run started or found (server children), for cleanup. */
  readonly owned = new Set<number>();
  readonly failureSamples: string[] = [];
  #totalFailures = 0;
  #cleanedUp = false;
  readonly #options: RunOptions;

  constructor(options: RunOptions) {
    this.#options = options;
    this.tmp = mkdtempSync(path.join(os.tmpdir(), options.tmpPrefix));
  }

  get totalFailures(): number {
    return this.#totalFailures;
  }

  /** Marks a started server (or anything with a pid) as this run's to stop; returns it. */
  own<T extends { pid: number }>(started: T): T {
    this.owned.add(started.pid);
    return started;
  }

  /** Everything under `pid` now, each marked as this run's to stop. */
  ownDescendants(pid: number): ChildInfo[] {
    const found = descendants(pid);
    for (const d of found) this.owned.add(d.pid);
    return found;
  }

  /** One failed step, kept for the final report and logged at once. */
  recordFailure(sample: string): void {
    this.#totalFailures++;
    this.#keepSample(sample);
    log(`FAILED ${sample}`);
  }

  /** Counts the failed requests of one load-generator run; `where` names the run. */
  countLoadFailures(result: LoadResult, where: string): void {
    if (!result.failures) return;
    this.#totalFailures += result.failures;
    for (const s of result.failureSamples) this.#keepSample(`${where}: ${s}`);
    const message = `${where}: ${result.failures} failed request(s), e.g. ${result.failureSamples[0]}`;
    if (this.#options.announceLoadFailures) this.#options.announceLoadFailures(message);
    else process.stderr.write(`${message}\n`);
  }

  #keepSample(sample: string): void {
    if (this.failureSamples.length < (this.#options.maxFailureSamples ?? Infinity)) this.failureSamples.push(sample);
  }

  /** The exit code for main(): 0, or 1 after listing the failures on stderr. */
  exitCode(): number {
    if (this.#totalFailures) {
      process.stderr.write(`FAILED: ${this.#totalFailures} request(s) did not return a succeeded prediction:\n  ${this.failureSamples.join("\n  ")}\n`);
      return 1;
    }
    return 0;
  }

  async cleanup(): Promise<void> {
    if (this.#cleanedUp) return;
    this.#cleanedUp = true;
    // Collect descendants once more: an instance started late is still ours to stop.
    for (const pid of [...this.owned]) for (const d of descendants(pid)) this.owned.add(d.pid);
    // Parents first (a graceful server stops its own instances), then whatever is left.
    await stopAll([...this.owned], 5000);
    rmSync(this.tmp, { recursive: true, force: true });
  }

  /**
   * Runs `main` under the watchdog, with SIGINT/SIGTERM stopping everything too, cleans up and
   * exits the process with main's code (1 if it threw).
   */
  async execute(main: () => Promise<number>): Promise<never> {
    const deadlineMs = this.#options.deadlineMs ?? RUN_DEADLINE_MS;
    const watchdog = setTimeout(() => {
      process.stderr.write(`[bench] still running after ${deadlineMs / 1000} s; stopping everything\n`);
      void this.cleanup().finally(() => process.exit(1));
    }, deadlineMs);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => void this.cleanup().finally(() => process.exit(130)));
    }

    let code = 1;
    try {
      code = await main();
    } catch (error) {
      process.stderr.write(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    } finally {
      await this.cleanup();
      clearTimeout(watchdog);
    }
    process.exit(code);
  }
}
