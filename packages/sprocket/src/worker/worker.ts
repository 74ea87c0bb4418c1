import type { Config } from "../config/index.ts";
import type { EventBus, Unsubscribe } from "../events/event-bus.ts";
import type { OutputFiles } from "../files/output-files.ts";
import { ALL_PREDICTIONS, type PredictionService } from "../predictions/prediction-service.ts";
import type { DeploymentPool, PredictionQueue, WaitReason } from "../protocol/api-types.ts";
import { TRAINING_POOL, parsePoolKey, poolKey as poolKeyOf, type Job, type Queue } from "../queue/queue.ts";
import { deviceEnv, isGpuSku, type GpuDevices } from "./gpu-devices.ts";
import { HostRoom } from "./host-room.ts";
import { Instance } from "./instance.ts";
import { policyFor, type DeploymentTarget, type PoolPolicy } from "./pool-policy.ts";
import { SpareRunner } from "./spare-runner.ts";
import { runnerForDir, type RunnerCommands } from "./runner-command.ts";
import { deploymentPoolOf, poolStats, type Pool, type PoolStats } from "./pools.ts";
import { enforceTimeouts, runPrediction, type RunHost, type Running } from "./run-prediction.ts";
import type { UrlInputOptions } from "./url-inputs.ts";

/** What the worker needs of predictions: the PredictionService in a `serve` process, the API (processes/worker-link.ts) on a `sprocket worker` host. */
export type WorkerPredictions = Pick<PredictionService, "runContext" | "markStarted" | "appendLogs" | "appendOutput" | "recordMetric" | "succeed" | "fail" | "markCanceled">;

export interface WorkerOptions {
  queue: Queue;
  predictions: WorkerPredictions;
  events: EventBus;
  config: Pick<Config, "instancesPerVersion" | "predictionTimeoutSeconds" | "cancelGraceMs" | "setupTimeoutSeconds" | "instanceIdleSeconds" | "maxInstances" | "maxInstanceMemoryMb">;
  /** Where a version's files are on disk. */
  versionDir(versionId: string): string;
  runners: RunnerCommands;
  /** Limits for fetching URL file inputs. */
  urlInputs: UrlInputOptions;
  /** Stores file outputs (staged by the runners, or data: URIs) and returns the output with references. */
  outputs: { readonly stagingDir: string; persist: OutputFiles["persist"]; stored?: OutputFiles["stored"] };
  /** The environment model processes get (the server's secrets already removed). */
  env: Record<string, string>;
  /** This host's GPUs: an instance of a pool on GPU hardware holds one of them while it lives. */
  gpus: GpuDevices;
  /** The hardware of the model a version belongs to, for predictions made on the version directly. */
  hardwareOf(versionId: string): Promise<string>;
  log(message: string): void;
  /** Told each instance's setup time (spawn → ready, seconds), for /metrics. */
  onInstanceReady?(setupSeconds: number): void;
  /** Keep a Node runner started ahead of need for the next cold start (SPROCKET_SPARE_RUNNER; spare-runner.ts). */
  spareRunner?: boolean;
}

/** The longest pause between attempts to start a warm instance whose setup keeps failing. */
const MAX_WARM_BACKOFF_MS = 60_000;


/**
 * Runs queued predictions on warm instances. One pool of instances per version (0 to
 * SPROCKET_INSTANCES_PER_VERSION), and one per deployment and version (the release's min..max);
 * see pool-policy.ts.
 */
export class Worker {
  private readonly pools = new Map<string, Pool>();
  /** Deployments' current releases, by `owner/name`. */
  private readonly deployments = new Map<string, DeploymentTarget>();
  private started = false;
  private readonly running = new Map<string, Running>();
  /** Cancels of predictions not here yet (a claim under way), by id → when; kept a minute. */
  private readonly canceledEarly = new Map<string, number>();
  /** The sku each live instance was started on (a release may since have changed its pool's). */
  private readonly placed = new Map<Instance, string>();
  private unsubscribe?: Unsubscribe;
  private sweep?: NodeJS.Timeout;
  private stopped = false;

  /** What runPrediction needs from the worker. */
  private readonly runHost: RunHost;
  /** The host's caps (instances, memory, GPU devices) and making room under them. */
  private readonly room: HostRoom;
  private readonly spares: SpareRunner | null;

  constructor(private readonly o: WorkerOptions) {
    // The environment of a CPU instance, exactly (only CPU instances take a spare).
    this.spares = o.spareRunner ? new SpareRunner(o.runners.node, { ...o.env, ...deviceEnv(null), SPROCKET_OUTPUT_DIR: o.outputs.stagingDir }, o.log) : null;
    this.room = new HostRoom(this.pools, this.placed, o, (key, error) => this.failQueued(key, error));
    this.runHost = {
      o,
      running: this.running,
      stopped: () => this.stopped,
      dispatch: (pool) => this.dispatch(pool),
      released: (instance, pool) => {
        // The instance is free again: give it the next job before the result is written. If it
        // stays idle, it may be what a pool waiting for room on the host can stop.
        this.dispatch(pool);
        if (instance.load === 0) this.dispatchOthers(pool);
      },
    };
  }

  start(): void {
    this.started = true;
    this.o.queue.onEnqueue((job) => {
      // Canceled while its claim was under way: it ends here instead of waiting for an instance.
      if (this.canceledEarly.delete(job.predictionId) && this.o.queue.remove(job.predictionId)) {
        return void this.o.predictions.markCanceled(job.predictionId).catch((error) => this.reportError(error));
      }
      this.dispatch(job.pool);
    });
    this.unsubscribe = this.o.events.subscribe(ALL_PREDICTIONS, (event) => {
      if (event.type === "cancel_requested") this.cancel(event.id);
    });
    // Timeouts and idle instances are checked once a second rather than with a timer each.
    this.sweep = setInterval(() => {
      enforceTimeouts(this.running, this.o.config.predictionTimeoutSeconds);
      this.stopIdleInstances();
      for (const [id, at] of this.canceledEarly) if (Date.now() - at > 60_000) this.canceledEarly.delete(id);
      // Work that waits for room on the host is retried here too, in case no exit woke it.
      for (const key of this.o.queue.pendingPools()) this.dispatch(key);
      for (const pool of this.pools.values()) this.keepWarm(pool);
    }, 1000);
    this.sweep.unref();
    this.spares?.refill();
    // Jobs queued before the worker started (recovered at start-up) are waiting.
    for (const pool of this.o.queue.pendingPools()) this.dispatch(pool);
    for (const [deployment, target] of this.deployments) this.keepWarm(this.pool(poolKeyOf(target.version, deployment)));
  }

  /**
   * A deployment was created or got a new release (`target`), or was deleted (null). Its pool
   * for the current version starts its min instances; pools for other versions retire (what runs
   * or waits there finishes, then their instances stop).
   */
  configureDeployment(deployment: string, target: DeploymentTarget | null): void {
    if (target) this.deployments.set(deployment, target);
    else this.deployments.delete(deployment);
    for (const pool of this.pools.values()) {
      if (parsePoolKey(pool.key).deployment !== deployment) continue;
      pool.policy = this.policyOf(pool.key, pool.policy.max);
      // New hardware: instances on the old one finish what they run, then stop (stopIdleInstances).
      if (target && pool.versionId === target.version) pool.hardware = target.hardware;
    }
    if (!this.started) return;
    if (target) {
      const current = this.pool(poolKeyOf(target.version, deployment));
      this.keepWarm(current);
      // A higher max may let queued work start now.
      this.dispatch(current.key);
    }
    this.stopIdleInstances();
  }

  /** Instances of a pool (or of all), for visibility and tests. */
  instanceCount(pool?: string): number {
    if (pool !== undefined) return this.pools.get(pool)?.instances.length ?? 0;
    let total = 0;
    for (const each of this.pools.values()) total += each.instances.length;
    return total;
  }

  /** Predictions this host holds: being prepared or run, or waiting in its queue. */
  heldIds(): string[] {
    return [...this.running.keys(), ...this.o.queue.waitingIds()];
  }

  /** Every pool with instances or waiting work: queue depth and instances by state. */
  stats(): PoolStats[] {
    return poolStats(this.pools, this.o.queue);
  }

  /** Where a prediction not yet running stands in its pool's queue and why it waits; null once taken. */
  queueOf(predictionId: string): PredictionQueue | null {
    const place = this.o.queue.place(predictionId);
    return place ? { position: place.position, reason: this.waitReason(place.pool) } : null;
  }

  /** A deployment's instances (in every pool it has, a retiring one included) and its waiting work. */
  deploymentPool(deployment: string): DeploymentPool {
    return deploymentPoolOf(this.pools, this.o.queue, deployment);
  }

  /** Why work in this pool is not running yet, most specific first. */
  private waitReason(key: string): WaitReason {
    if (!this.started || this.stopped) return "no_worker";
    const pool = this.pools.get(key);
    if (!pool) return "dispatching";
    if (pool.instances.some((i) => i.state === "starting")) return "instance_starting";
    if (pool.instances.length >= pool.policy.max) return "pool_at_max";
    if (this.room.full()) return "host_at_capacity";
    if (!this.room.gpuFree(pool)) return "no_free_gpu";
    return "dispatching";
  }

  /** Takes no more jobs (they stay queued, durable, for the next start). */
  pause(): void {
    this.stopped = true;
  }

  /** Stops every instance; predictions still running end failed as interrupted. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.spares?.stop();
    this.unsubscribe?.();
    clearInterval(this.sweep);
    const all = [...this.pools.values()].flatMap((pool) => pool.instances);
    await Promise.all(all.map((instance) => instance.shutdown()));
  }

  private policyOf(key: string, previousMax?: number): PoolPolicy {
    return policyFor(key, this.deployments, this.o.config.instancesPerVersion, previousMax);
  }

  private pool(key: string): Pool {
    let pool = this.pools.get(key);
    if (!pool) {
      const { versionId, deployment } = parsePoolKey(key);
      // A version's own pools (predictions, trainings) run on its model's hardware, found on first use.
      const hardware = deployment === null || deployment === TRAINING_POOL ? undefined : (this.deployments.get(deployment)?.hardware ?? "cpu");
      pool = { key, versionId, instances: [], policy: this.policyOf(key), hardware, holdGrowth: false, setupFailures: 0, warmAfter: 0 };
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Hands queued jobs of a pool to instances with free capacity; starts instances if needed. */
  private dispatch(key: string): void {
    if (this.stopped) return;
    const pool = this.pool(key);
    if (pool.hardware === undefined) return this.resolveHardware(pool);
    while (this.o.queue.depth(key) > 0) {
      const instance = pool.instances.find((i) => i.state === "ready" && i.load < i.concurrency && this.placed.get(i) === pool.hardware);
      if (!instance) return this.grow(pool);
      const job = this.o.queue.take(key)!;
      if (this.canceledEarly.delete(job.predictionId)) {
        this.o.predictions.markCanceled(job.predictionId).catch((error) => this.reportError(error));
        continue;
      }
      runPrediction(this.runHost, instance, job).catch((error) => this.reportError(error));
    }
  }

  /**
   * Starts an instance for each waiting job that no starting instance will take, up to the pool's
   * max and the host's cap; at the cap, idle instances of other pools are stopped to make room.
   */
  private grow(pool: Pool): void {
    if (pool.holdGrowth) return;
    const starting = pool.instances.filter((i) => i.state === "starting").length;
    let wanted = Math.min(this.o.queue.depth(pool.key) - starting, pool.policy.max - pool.instances.length);
    while (wanted > 0) {
      if (this.room.full()) return this.room.makeRoom(pool, wanted);
      if (!this.room.gpuFree(pool)) return this.room.freeGpu(pool, wanted);
      this.startInstance(pool, true);
      wanted--;
    }
  }

  /** Looks up a version pool's hardware (its model's), then dispatches; until then its work waits. */
  private resolveHardware(pool: Pool): void {
    if (pool.resolvingHardware) return;
    pool.resolvingHardware = true;
    this.o.hardwareOf(pool.versionId).then(
      (sku) => ((pool.hardware = sku), this.dispatch(pool.key)),
      (error: Error) => {
        this.o.log(`worker: the hardware of version ${pool.versionId} could not be read (${error.message}); running it on the CPU`);
        pool.hardware = "cpu";
        this.dispatch(pool.key);
      },
    );
  }

  /** Pools other than `except` with work waiting (some may wait for room on this host). */
  private dispatchOthers(except: string): void {
    if (this.o.queue.depth() === this.o.queue.depth(except)) return;
    for (const key of this.o.queue.pendingPools()) if (key !== except) this.dispatch(key);
  }

  /** Starts instances until the pool has its min running (spaced out while setups keep failing). */
  private keepWarm(pool: Pool): void {
    if (this.stopped || !this.started || pool.policy.retiring || pool.hardware === undefined || Date.now() < pool.warmAfter) return;
    let live = pool.instances.filter((i) => i.state !== "stopping").length;
    while (live < pool.policy.min && pool.instances.length < pool.policy.max && !this.room.full() && this.room.gpuFree(pool)) {
      this.startInstance(pool);
      live++;
    }
  }

  /** `forWork`: started because work waits (not to keep a min warm), so that work waited for its cold start. */
  private startInstance(pool: Pool, forWork = false): void {
    const { key, versionId } = pool;
    const dir = this.o.versionDir(versionId);
    let runner;
    try {
      runner = runnerForDir(dir, this.o.runners);
    } catch (error) {
      pool.warmAfter = Date.now() + MAX_WARM_BACKOFF_MS;
      return this.failQueued(key, `The model could not be started: ${(error as Error).message}`);
    }
    const sku = pool.hardware ?? "cpu";
    // Callers check gpuFree first; the device is held until the process exits.
    const device = isGpuSku(sku) ? this.o.gpus.take(sku) : null;
    if (isGpuSku(sku) && !device) return;
    // A training pool's instances run the version's train() (the runners read SPROCKET_RUN_MODE).
    const training = parsePoolKey(key).deployment === TRAINING_POOL;
    const instance = new Instance({
      dir,
      runner,
      spare: device || training ? null : this.spares?.take(runner),
      // File outputs are copied here by the runner and moved into place by OutputFiles.
      env: { ...this.o.env, ...deviceEnv(device), SPROCKET_OUTPUT_DIR: this.o.outputs.stagingDir, ...(training ? { SPROCKET_RUN_MODE: "train" } : {}) },
      setupTimeoutMs: this.o.config.setupTimeoutSeconds * 1000,
      onInstanceLog: (data) => this.o.log(`[${versionId.slice(0, 12)} pid ${instance.pid}] ${data.trimEnd()}`),
      onExit: () => {
        pool.instances.splice(pool.instances.indexOf(instance), 1);
        this.placed.delete(instance);
        if (device) this.o.gpus.give(device);
        // Work may be waiting for a replacement, and a warm pool replaces what died.
        // Its slot on the host may be what another pool's work waits for.
        queueMicrotask(() => {
          this.dispatch(key);
          this.dispatchOthers(key);
          this.keepWarm(pool);
        });
      },
    });
    if (forWork) instance.startedForWork();
    this.placed.set(instance, sku);
    pool.instances.push(instance);
    // The next spare starts once this setup is over, so it never slows this cold start down.
    const setup = instance.start();
    setup.finally(() => this.spares?.refill()).catch(() => {});
    setup.then(
      () => {
        pool.setupFailures = 0;
        pool.holdGrowth = false;
        if (instance.readyAt !== undefined) this.o.onInstanceReady?.((instance.readyAt - instance.spawnedAt) / 1000);
        this.dispatch(key);
      },
      (error: Error) => {
        // Stopping interrupts setup on purpose: the waiting jobs stay queued for the next start.
        if (this.stopped) return;
        pool.setupFailures++;
        pool.warmAfter = Date.now() + Math.min(MAX_WARM_BACKOFF_MS, 1000 * 2 ** pool.setupFailures);
        // Another instance of the pool may still serve them.
        if (pool.instances.some((other) => other !== instance && other.state !== "dead")) {
          pool.holdGrowth = true;
          return this.dispatch(key);
        }
        pool.holdGrowth = false;
        this.failQueued(key, `The model's setup failed: ${error.message}`);
      },
    );
  }

  /** A setup failure ends every prediction waiting in that pool with the setup's error. */
  private failQueued(key: string, error: string): void {
    let job: Job | undefined;
    while ((job = this.o.queue.take(key))) this.o.predictions.fail(job.predictionId, error).catch((e) => this.reportError(e));
  }

  private reportError(error: unknown): void {
    this.o.log(`worker: could not record a prediction's outcome: ${error instanceof Error ? error.stack : String(error)}`);
  }

  private cancel(id: string): void {
    const running = this.running.get(id);
    // Claimed from a shared queue but not started yet: it ends here (the user's side could not remove it).
    if (!running && this.o.queue.remove(id)) return void this.o.predictions.markCanceled(id).catch((e) => this.reportError(e));
    if (!running) {
      // Maybe on its way here (claimed from a shared queue a moment ago): remembered, it is canceled on arrival.
      this.canceledEarly.set(id, Date.now());
      return;
    }
    if (!running.instance.active.has(id)) {
      // Still preparing (downloading inputs): stop that; execute() ends it canceled.
      running.abortedAs = "canceled";
      running.preparing.abort();
      return;
    }
    running.instance.cancel(id, this.o.config.cancelGraceMs);
  }

  /**
   * Instances with nothing to do for longer than the idle window stop, down to the pool's min
   * (scale to zero when it is 0). A retiring pool's idle instances stop at once.
   */
  private stopIdleInstances(): void {
    const now = Date.now();
    for (const [key, pool] of this.pools) {
      const idleMs = pool.policy.retiring ? 0 : this.o.config.instanceIdleSeconds * 1000;
      let live = pool.instances.filter((i) => i.state !== "stopping").length;
      for (const instance of pool.instances) {
        const idle = instance.state === "ready" && instance.load === 0;
        // Started on hardware its pool's release no longer names: replaced as soon as it is idle.
        if (idle && pool.hardware !== undefined && this.placed.get(instance) !== pool.hardware) {
          void instance.shutdown();
          live--;
          continue;
        }
        if (live <= pool.policy.min) continue;
        if (idle && now - instance.lastUsed >= idleMs && this.o.queue.depth(key) === 0) {
          void instance.shutdown();
          live--;
        }
      }
      if (pool.instances.length === 0 && pool.policy.min === 0 && this.o.queue.depth(key) === 0) this.pools.delete(key);
    }
  }
}
