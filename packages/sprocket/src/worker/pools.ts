// The worker's pools: what one is, and how they look from outside (/metrics, a deployment's
// `sprocket_pool`). Read-only views over the worker's map; the worker alone changes pools.
import type { DeploymentPool } from "../protocol/api-types.ts";
import { parsePoolKey, type Queue } from "../queue/queue.ts";
import type { Instance } from "./instance.ts";
import type { PoolPolicy } from "./pool-policy.ts";

/** One pool as /metrics shows it. */
export interface PoolStats {
  pool: string;
  queued: number;
  instances: Record<"starting" | "ready" | "busy" | "stopping", number>;
}

export interface Pool {
  key: string;
  versionId: string;
  instances: Instance[];
  policy: PoolPolicy;
  /**
   * The sku its instances run on: a deployment's release says it; a version's shared pool uses
   * its model's hardware, looked up when the pool is first needed (undefined until then).
   */
  hardware?: string;
  resolvingHardware?: boolean;
  /** A setup failed while another instance was starting: start no more until one is ready. */
  holdGrowth: boolean;
  /** Setup failures in a row; they space out restarts of warm instances. */
  setupFailures: number;
  /** No warm (min) instance starts before this time. */
  warmAfter: number;
}


/** An instance's state as shown: a ready instance running something is busy. */
function shownState(instance: Instance): "starting" | "ready" | "busy" | "stopping" {
  return instance.state === "ready" && instance.load > 0 ? "busy" : (instance.state as "starting" | "ready" | "stopping");
}

/** Every pool with instances or waiting work: queue depth and instances by state. */
export function poolStats(pools: ReadonlyMap<string, Pool>, queue: Queue): PoolStats[] {
  const keys = new Set([...pools.keys(), ...queue.pendingPools()]);
  return [...keys].map((key) => {
    const instances = { starting: 0, ready: 0, busy: 0, stopping: 0 };
    for (const instance of pools.get(key)?.instances ?? []) if (instance.state !== "dead") instances[shownState(instance)]++;
    return { pool: key, queued: queue.depth(key), instances };
  });
}

/** A deployment's instances (in every pool it has, a retiring one included) and its waiting work. */
export function deploymentPoolOf(pools: ReadonlyMap<string, Pool>, queue: Queue, deployment: string): DeploymentPool {
  const view: DeploymentPool = { instances: [], queue_depth: 0 };
  for (const each of pools.values()) {
    if (parsePoolKey(each.key).deployment !== deployment) continue;
    view.queue_depth += queue.depth(each.key);
    for (const instance of each.instances) {
      if (instance.state === "dead") continue;
      view.instances.push({
        version: each.versionId,
        state: shownState(instance),
        running: instance.load,
        setup_time: instance.readyAt === undefined ? null : (instance.readyAt - instance.spawnedAt) / 1000,
        started_at: new Date(instance.spawnedAt).toISOString(),
      });
    }
  }
  // Queued work whose pool has no instance yet has no entry in `pools`.
  for (const key of queue.pendingPools()) {
    if (!pools.has(key) && parsePoolKey(key).deployment === deployment) view.queue_depth += queue.depth(key);
  }
  return view;
}
