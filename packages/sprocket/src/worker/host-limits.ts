import { existsSync, readFileSync } from "node:fs";

/** What one host may run at once, over all pools (SPROCKET_MAX_INSTANCES, SPROCKET_MAX_INSTANCE_MEMORY_MB). */
export interface HostLimits {
  maxInstances: number;
  /** 0: no memory cap. */
  maxMemoryMb: number;
}

/** An instance that could be stopped to make room for another pool's waiting work. */
export interface EvictionCandidate {
  /** When it last finished (or was given) work. */
  lastUsed: number;
  /** Its pool keeps more instances than its min, so stopping it costs no warm capacity. */
  aboveMin: boolean;
}

/**
 * Which idle instances to stop, in order: those above their pool's min first (they would stop
 * after the idle window anyway), then the least recently used. Busy instances are never offered.
 */
export function evictionOrder<T extends EvictionCandidate>(candidates: readonly T[]): T[] {
  return [...candidates].sort((a, b) => Number(b.aboveMin) - Number(a.aboveMin) || a.lastUsed - b.lastUsed);
}

/**
 * Resident memory of these processes in MiB, from /proc/<pid>/status. Null where /proc is not
 * there (macOS): the memory cap is then not enforced rather than guessed. A process that just
 * exited counts 0. Only the instance's own process is counted, not processes it spawned.
 */
export function residentMemoryMb(pids: readonly number[]): number | null {
  let kib = 0;
  for (const pid of pids) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && existsSync("/proc/self/status")) continue;
      return null;
    }
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (match) kib += Number(match[1]);
  }
  return kib / 1024;
}
