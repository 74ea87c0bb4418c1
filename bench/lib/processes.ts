// Child processes for the benchmarks: start one and wait for the line that says where it listens,
// read a process's memory and CPU from /proc, stop everything within a deadline.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Runs a TypeScript file through tsx, as `npm run bench` and `sprocket` themselves do. */
export const NODE_TS = path.join(REPO_ROOT, "packages/sprocket/bin/node-ts.mjs");
export const SPROCKET_BIN = path.join(REPO_ROOT, "packages/sprocket/bin/sprocket.mjs");

export interface Started {
  child: ChildProcess;
  /** The first line matching the pattern's first group, e.g. the URL. */
  match: string;
  /** Everything the child printed so far, for error messages. */
  output(): string;
}

/** Spawns a child and resolves once a stdout line matches `pattern`; rejects on exit or timeout. */
export function startAndWaitFor(
  command: string,
  args: string[],
  pattern: RegExp,
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number; label: string },
): Promise<Started> {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const output = () => out;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${options.label}: no match for ${pattern} after ${options.timeoutMs} ms\n${out}`)), options.timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const found = pattern.exec(out);
      if (found) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        // Keep draining (a full pipe would block the child); keep a bounded tail for errors.
        child.stdout!.on("data", (more: Buffer) => (out = (out + more.toString()).slice(-8192)));
        resolve({ child, match: found[1] ?? found[0], output });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (out = (out + chunk.toString()).slice(-8192)));
    child.once("error", fail);
    child.once("exit", (code, signal) => fail(new Error(`${options.label} exited (${signal ?? code}) before it was ready\n${out}`)));
  });
}

/** Runs a child to completion; resolves with its stdout, rejects on a non-zero exit or timeout. */
export function runToEnd(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs: number; label: string }): Promise<string> {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8192)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${options.label}: still running after ${options.timeoutMs} ms\n${stderr}`));
    }, options.timeoutMs);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${options.label} exited (${signal ?? code})\n${stderr}${stdout.slice(-2000)}`));
    });
  });
}

/** Resident set size in bytes (VmRSS), or null if the process is gone. */
export function rssBytes(pid: number): number | null {
  return statusField(pid, "VmRSS");
}

/** Peak resident set size in bytes (VmHWM), or null if the process is gone. */
export function peakRssBytes(pid: number): number | null {
  return statusField(pid, "VmHWM");
}

function statusField(pid: number, field: string): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in ms; null if it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at field 3; utime/stime are 14/15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Linux reports these in clock ticks; USER_HZ is 100 on every mainstream architecture.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

export interface ChildInfo {
  pid: number;
  command: string;
  /** Its working directory: a model instance runs in its version's directory, also one adopted from a spare runner (whose command line names no model). */
  cwd: string;
}

/** A process's direct children, from /proc/<pid>/task/<tid>/children. */
export function childrenOf(pid: number): ChildInfo[] {
  const pids = new Set<number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        for (const p of readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(/\s+/)) if (p) pids.add(Number(p));
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  } catch {
    return [];
  }
  return [...pids].map((p) => ({ pid: p, command: commandLine(p), cwd: workingDir(p) }));
}

/** Everything under a process: its children, theirs, and so on. */
export function descendants(pid: number): ChildInfo[] {
  return childrenOf(pid).flatMap((c) => [c, ...descendants(c.pid)]);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return "";
  }
}

function workingDir(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops processes: SIGTERM, then SIGKILL for whatever is still there after `graceMs`. Pass the
 * descendants too (collected while they ran), so nothing outlives the benchmark.
 */
export async function stopAll(pids: number[], graceMs: number): Promise<void> {
  const living = [...new Set(pids)].filter(alive);
  for (const pid of living) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (living.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  for (const pid of living) if (alive(pid)) signal(pid, "SIGKILL");
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
