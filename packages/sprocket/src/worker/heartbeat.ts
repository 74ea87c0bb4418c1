import type { WorkerReport } from "../protocol/api-types.ts";

/**
 * A worker host's heartbeat (scale-out): every `everyMs` it reports who it is, its instances and
 * what it runs (to the database directly, or through the API for a `sprocket worker` host). The
 * lost-worker sweep (scheduler/lost-workers.ts) acts on a host whose reports stop. A report that
 * fails is logged once until one gets through again.
 */
export function startHeartbeat(
  identity: Pick<WorkerReport, "id" | "name" | "hardware">,
  describe: () => Pick<WorkerReport, "instances" | "running">,
  report: (worker: WorkerReport) => Promise<void>,
  everyMs: number,
  log: (message: string) => void,
): { stop(): void; beat(): Promise<void> } {
  const startedAt = Date.now();
  let failing = false;
  let busy = false;
  const beat = async () => {
    if (busy) return;
    busy = true;
    try {
      await report({ ...identity, ...describe(), lastSeen: Date.now(), startedAt });
      if (failing) log("worker: heartbeat reported again");
      failing = false;
    } catch (error) {
      if (!failing) log(`worker: heartbeat could not be reported (${(error as Error).message}); its predictions end if this lasts`);
      failing = true;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void beat(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), beat };
}
