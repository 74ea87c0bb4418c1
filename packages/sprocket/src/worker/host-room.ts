// The host's caps over all pools — SPROCKET_MAX_INSTANCES, SPROCKET_MAX_INSTANCE_MEMORY_MB and the
// GPU devices — and making room under them by stopping idle instances of other pools
// (evictionOrder in host-limits.ts). Split from worker.ts; the worker owns the pools.
import { isGpuSku } from "./gpu-devices.ts";
import { evictionOrder, residentMemoryMb } from "./host-limits.ts";
import type { Instance } from "./instance.ts";
import type { Pool } from "./pools.ts";
import type { WorkerOptions } from "./worker.ts";

export class HostRoom {
  constructor(
    private readonly pools: ReadonlyMap<string, Pool>,
    /** The sku each live instance was started on. */
    private readonly placed: ReadonlyMap<Instance, string>,
    private readonly o: Pick<WorkerOptions, "config" | "gpus" | "queue" | "log">,
    /** Fails a pool's queued work (its hardware is not on this host). */
    private readonly failQueued: (key: string, error: string) => void,
  ) {}

  /** Every instance on this host: starting, ready and stopping ones each still hold a process. */
  hostInstances(): Instance[] {
    return [...this.pools.values()].flatMap((pool) => pool.instances);
  }

  /** The host may start no further instance now (SPROCKET_MAX_INSTANCES, SPROCKET_MAX_INSTANCE_MEMORY_MB). */
  full(): boolean {
    const all = this.hostInstances();
    if (all.length >= this.o.config.maxInstances) return true;
    if (this.o.config.maxInstanceMemoryMb === 0) return false;
    const used = residentMemoryMb(all.flatMap((i) => i.pid ?? []));
    return used !== null && used >= this.o.config.maxInstanceMemoryMb;
  }

  /**
   * `pool` has `wanted` jobs that need new instances and the host is full: idle instances of other
   * pools stop (see evictionOrder), and the jobs start when those have exited (onExit dispatches).
   * Instances already stopping are room on the way, so a second call does not stop more.
   */
  makeRoom(pool: Pool, wanted: number): void {
    const all = this.hostInstances();
    const stopping = all.filter((i) => i.state === "stopping").length;
    const afterStops = all.length - stopping;
    // At the count cap, one slot per wanted job; at the memory cap, one instance at a time.
    const needed = all.length >= this.o.config.maxInstances ? wanted - (this.o.config.maxInstances - afterStops) : stopping === 0 ? 1 : 0;
    if (needed <= 0) return;
    for (const { instance } of evictionOrder(this.idleElsewhere(pool, () => true)).slice(0, needed)) {
      this.o.log(`worker: host at its instance cap; stopping an idle instance (pid ${instance.pid}) for waiting work`);
      void instance.shutdown();
    }
  }

  /** Idle instances of pools other than `pool` with nothing queued, that `accept` accepts, as eviction candidates. */
  idleElsewhere(pool: Pool, accept: (instance: Instance) => boolean): { instance: Instance; lastUsed: number; aboveMin: boolean }[] {
    const candidates: { instance: Instance; lastUsed: number; aboveMin: boolean }[] = [];
    for (const other of this.pools.values()) {
      if (other === pool || this.o.queue.depth(other.key) > 0) continue;
      const idle = other.instances.filter((i) => i.state === "ready" && i.load === 0).sort((a, b) => a.lastUsed - b.lastUsed);
      // The pool's least recently used idle instances beyond its min are the ones above it.
      let spare = other.instances.filter((i) => i.state !== "stopping").length - other.policy.min;
      for (const instance of idle) if (accept(instance)) candidates.push({ instance, lastUsed: instance.lastUsed, aboveMin: spare-- > 0 });
    }
    return candidates;
  }

  /** The pool runs on the CPU, or a device of its GPU kind is free. */
  gpuFree(pool: Pool): boolean {
    return pool.hardware === undefined || !isGpuSku(pool.hardware) || this.o.gpus.available(pool.hardware) > 0;
  }

  /**
   * `pool` has `wanted` jobs that need new instances and every device of its GPU kind is held:
   * idle instances of other pools on that kind stop (as makeRoom), and the jobs start when those
   * have exited and given their devices back. A kind this host does not have fails the jobs.
   */
  freeGpu(pool: Pool, wanted: number): void {
    const sku = pool.hardware!;
    if (this.o.gpus.total(sku) === 0) {
      return this.failQueued(pool.key, `The hardware ${sku} is not on this host (GET /v1/hardware lists what is); choose another.`);
    }
    const onSku = (i: Instance) => this.placed.get(i) === sku;
    const stopping = this.hostInstances().filter((i) => i.state === "stopping" && onSku(i)).length;
    for (const { instance } of evictionOrder(this.idleElsewhere(pool, onSku)).slice(0, wanted - stopping)) {
      this.o.log(`worker: every ${sku} device is held; stopping an idle instance (pid ${instance.pid}) for waiting work`);
      void instance.shutdown();
    }
  }
}
