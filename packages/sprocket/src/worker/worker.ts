import type { Config } from "../config/index.ts";
import type { EventBus, Unsubscribe } from "../events/event-bus.ts";
import type { OutputFiles } from "../files/output-files.ts";
import { ALL_PREDICTIONS, type PredictionService } from "../predictions/prediction-service.ts";
import type { StagedFiles } from "../protocol/runner-messages.ts";
import type { DeploymentPool, PredictionQueue, WaitReason } from "../protocol/api-types.ts";
import { parsePoolKey, poolKey as poolKeyOf, type Job, type Queue } from "../queue/queue.ts";
import { deviceEnv, isGpuSku, type GpuDevices } from "./gpu-devices.ts";
import { evictionOrder, residentMemoryMb } from "./host-limits.ts";
import { Instance } from "./instance.ts";
import { policyFor, type DeploymentTarget, type PoolPolicy } from "./pool-policy.ts";
import { runnerForDir, type RunnerCommands } from "./runner-command.ts";
import { fetchUrlInputs, type UrlInputOptions } from "./url-inputs.ts";

export interface WorkerOptions {
  queue: Queue;
  predictions: PredictionService;
  events: EventBus;
  config: Pick<Config, "instancesPerVersion" | "predictionTimeoutSeconds" | "cancelGraceMs" | "setupTimeoutSeconds" | "instanceIdleSeconds" | "maxInstances" | "maxInstanceMemoryMb">;
  /** Where a version's files are on disk. */
  versionDir(versionId: string): string;
  runners: RunnerCommands;
  /** Limits for fetching URL file inputs. */
  urlInputs: UrlInputOptions;
  /** Stores file outputs (staged by the runners, or data: URIs) and returns the output with references. */
  outputs: Pick<OutputFiles, "persist" | "stagingDir">;
  /** The environment model processes get (the server's secrets already removed). */
  env: Record<string, string>;
  /** This host's GPUs: an instance of a pool on GPU hardware holds one of them while it lives. */
  gpus: GpuDevices;
  /** The hardware of the model a version belongs to, for predictions made on the version directly. */
  hardwareOf(versionId: string): Promise<string>;
  log(message: string): void;
  /** Told each instance's setup time (spawn → ready, seconds), for /metrics. */
  onInstanceReady?(setupSeconds: number): void;
}

/** One pool as /metrics shows it. */
export interface PoolStats {
  pool: string;
  queued: number;
  instances: Record<"starting" | "ready" | "busy" | "stopping", number>;
}

interface Pool {
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

/** The longest pause between attempts to start a warm instance whose setup keeps failing. */
const MAX_WARM_BACKOFF_MS = 60_000;

interface Running {
  instance: Instance;
  startedAt: number;
  /** Aborts the preparation (URL downloads) of a prediction not yet handed to its instance. */
  preparing: AbortController;
  /** Why preparation was aborted (a cancel, or the timeout), to end the prediction that way. */
  abortedAs?: "canceled" | "timed_out";
}

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
  /** The sku each live instance was started on (a release may since have changed its pool's). */
  private readonly placed = new Map<Instance, string>();
  private unsubscribe?: Unsubscribe;
  private sweep?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly o: WorkerOptions) {}

  start(): void {
    this.started = true;
    this.o.queue.onEnqueue((pool) => this.dispatch(pool));
    this.unsubscribe = this.o.events.subscribe(ALL_PREDICTIONS, (event) => {
      if (event.type === "cancel_requested") this.cancel(event.id);
    });
    // Timeouts and idle instances are checked once a second rather than with a timer each.
    this.sweep = setInterval(() => {
      this.enforceTimeouts();
      this.stopIdleInstances();
      // Work that waits for room on the host is retried here too, in case no exit woke it.
      for (const key of this.o.queue.pendingPools()) this.dispatch(key);
      for (const pool of this.pools.values()) this.keepWarm(pool);
    }, 1000);
    this.sweep.unref();
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

  /** Every pool with instances or waiting work: queue depth and instances by state. */
  stats(): PoolStats[] {
    const keys = new Set([...this.pools.keys(), ...this.o.queue.pendingPools()]);
    return [...keys].map((key) => {
      const instances = { starting: 0, ready: 0, busy: 0, stopping: 0 };
      for (const instance of this.pools.get(key)?.instances ?? []) {
        if (instance.state === "dead") continue;
        instances[instance.state === "ready" && instance.load > 0 ? "busy" : instance.state]++;
      }
      return { pool: key, queued: this.o.queue.depth(key), instances };
    });
  }

  /** Where a prediction not yet running stands in its pool's queue and why it waits; null once taken. */
  queueOf(predictionId: string): PredictionQueue | null {
    const place = this.o.queue.place(predictionId);
    return place ? { position: place.position, reason: this.waitReason(place.pool) } : null;
  }

  /** A deployment's instances (in every pool it has, a retiring one included) and its waiting work. */
  deploymentPool(deployment: string): DeploymentPool {
    const pool: DeploymentPool = { instances: [], queue_depth: 0 };
    for (const each of this.pools.values()) {
      if (parsePoolKey(each.key).deployment !== deployment) continue;
      pool.queue_depth += this.o.queue.depth(each.key);
      for (const instance of each.instances) {
        if (instance.state === "dead") continue;
        pool.instances.push({
          version: each.versionId,
          state: instance.state === "ready" && instance.load > 0 ? "busy" : instance.state,
          running: instance.load,
          setup_time: instance.readyAt === undefined ? null : (instance.readyAt - instance.spawnedAt) / 1000,
          started_at: new Date(instance.spawnedAt).toISOString(),
        });
      }
    }
    // Queued work whose pool has no instance yet has no entry in `pools`.
    for (const key of this.o.queue.pendingPools()) {
      if (!this.pools.has(key) && parsePoolKey(key).deployment === deployment) pool.queue_depth += this.o.queue.depth(key);
    }
    return pool;
  }

  /** Why work in this pool is not running yet, most specific first. */
  private waitReason(key: string): WaitReason {
    if (!this.started || this.stopped) return "no_worker";
    const pool = this.pools.get(key);
    if (!pool) return "dispatching";
    if (pool.instances.some((i) => i.state === "starting")) return "instance_starting";
    if (pool.instances.length >= pool.policy.max) return "pool_at_max";
    if (this.hostFull()) return "host_at_capacity";
    if (!this.gpuFree(pool)) return "no_free_gpu";
    return "dispatching";
  }

  /** Takes no more jobs (they stay queued, durable, for the next start). */
  pause(): void {
    this.stopped = true;
  }

  /** Stops every instance; predictions still running end failed as interrupted. */
  async stop(): Promise<void> {
    this.stopped = true;
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
      const hardware = deployment === null ? undefined : (this.deployments.get(deployment)?.hardware ?? "cpu");
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
      this.execute(instance, job).catch((error) => this.reportError(error));
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
      if (this.hostFull()) return this.makeRoom(pool, wanted);
      if (!this.gpuFree(pool)) return this.freeGpu(pool, wanted);
      this.startInstance(pool, true);
      wanted--;
    }
  }

  /** Every instance on this host: starting, ready and stopping ones each still hold a process. */
  private hostInstances(): Instance[] {
    return [...this.pools.values()].flatMap((pool) => pool.instances);
  }

  /** The host may start no further instance now (SPROCKET_MAX_INSTANCES, SPROCKET_MAX_INSTANCE_MEMORY_MB). */
  private hostFull(): boolean {
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
  private makeRoom(pool: Pool, wanted: number): void {
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
  private idleElsewhere(pool: Pool, accept: (instance: Instance) => boolean): { instance: Instance; lastUsed: number; aboveMin: boolean }[] {
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
  private gpuFree(pool: Pool): boolean {
    return pool.hardware === undefined || !isGpuSku(pool.hardware) || this.o.gpus.available(pool.hardware) > 0;
  }

  /**
   * `pool` has `wanted` jobs that need new instances and every device of its GPU kind is held:
   * idle instances of other pools on that kind stop (as makeRoom), and the jobs start when those
   * have exited and given their devices back. A kind this host does not have fails the jobs.
   */
  private freeGpu(pool: Pool, wanted: number): void {
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
    while (live < pool.policy.min && pool.instances.length < pool.policy.max && !this.hostFull() && this.gpuFree(pool)) {
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
    const instance = new Instance({
      dir,
      runner,
      // File outputs are copied here by the runner and moved into place by OutputFiles.
      env: { ...this.o.env, ...deviceEnv(device), SPROCKET_OUTPUT_DIR: this.o.outputs.stagingDir },
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
    instance.start().then(
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

  private async execute(instance: Instance, job: Job): Promise<void> {
    const id = job.predictionId;
    const run = this.o.predictions.runContext(id);
    if (!run) return this.dispatch(job.pool);
    // The slot is taken now, synchronously: the dispatcher's loop must not hand it to another job
    // while this one's inputs are prepared.
    const release = instance.reserve();
    const running: Running = { instance, startedAt: Date.now(), preparing: new AbortController() };
    this.running.set(id, running);
    // The state changes to `processing` in memory at once; its write commits while the instance
    // already works (writes commit in order, so `processing` is never written after the result).
    const started = this.o.predictions.markStarted(id);
    // File inputs given as URLs are fetched here, so the model gets local files (and SSRF rules
    // apply in one place). A cancel or the timeout stops the download.
    let prepared: Awaited<ReturnType<typeof fetchUrlInputs>> | undefined;
    let preparationError: string | undefined;
    try {
      prepared = await fetchUrlInputs(run.input, run.fileInputs, this.o.urlInputs, running.preparing.signal, run.account);
    } catch (error) {
      preparationError = `A file input could not be fetched: ${(error as Error).message}`;
    }
    release();
    if (!prepared || running.abortedAs) {
      void prepared?.cleanup();
      this.running.delete(id);
      this.dispatch(job.pool);
      await started;
      if (running.abortedAs === "canceled") await this.o.predictions.markCanceled(id);
      else await this.o.predictions.fail(id, running.abortedAs === "timed_out" ? this.timeoutMessage() : preparationError!);
      return;
    }
    // Staged output files already stored for this prediction (the final output lists them again).
    const claimed = new Map<string, string>();
    // The first prediction on an instance started for it carries the cold start (extension metrics).
    const cold = instance.takeColdStart();
    if (cold) {
      this.o.predictions.recordMetric(id, "cold_start_spawn_time", cold.spawn);
      this.o.predictions.recordMetric(id, "cold_start_setup_time", cold.setup);
    }
    const result = await instance.run(id, prepared.input, {
      onLog: (data) => this.o.predictions.appendLogs(id, data),
      onOutput: (item, files) => this.o.predictions.appendOutput(id, this.persistOutput(item, files, claimed)),
      onMetric: (name, value) => this.o.predictions.recordMetric(id, name, value),
    });
    this.running.delete(id);
    const cleaned = prepared.cleanup();
    // The instance is free again: give it the next job before this result is written. If it
    // stays idle, it may be what a pool waiting for room on the host can stop.
    this.dispatch(job.pool);
    if (instance.load === 0) this.dispatchOthers(job.pool);
    // Input copies are deleted (off the event loop) before the result's database write: a big
    // copy still being written back would otherwise hold up that write's sync, and every request
    // behind it.
    await cleaned;
    await started;
    if (result.status === "succeeded") {
      let output: unknown;
      try {
        output = this.o.outputs.persist(result.output, result.files, claimed);
      } catch (error) {
        return this.o.predictions.fail(id, `The prediction's output files could not be stored: ${(error as Error).message}`);
      }
      await this.o.predictions.succeed(id, output);
    } else if (result.status === "failed" && this.stopped) {
      await this.o.predictions.fail(id, "Prediction interrupted: the Sprocket server shut down while it was running.");
    } else if (result.status === "failed") await this.o.predictions.fail(id, result.error);
    else await this.o.predictions.markCanceled(id);
  }

  /** Output items streamed while running: a file that cannot be stored is logged, not fatal here. */
  private persistOutput(item: unknown, files: StagedFiles | undefined, claimed: Map<string, string>): unknown {
    try {
      return this.o.outputs.persist(item, files, claimed);
    } catch (error) {
      this.o.log(`worker: an output file could not be stored: ${(error as Error).message}`);
      return null;
    }
  }

  private timeoutMessage(): string {
    return `Prediction timed out after ${this.o.config.predictionTimeoutSeconds} s (SPROCKET_PREDICTION_TIMEOUT); its instance was stopped.`;
  }

  private cancel(id: string): void {
    const running = this.running.get(id);
    if (!running) return;
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

  private enforceTimeouts(): void {
    const limitMs = this.o.config.predictionTimeoutSeconds * 1000;
    const now = Date.now();
    for (const [id, run] of this.running) {
      if (now - run.startedAt <= limitMs || run.abortedAs) continue;
      if (!run.instance.active.has(id)) {
        // Not on the instance yet: stop its downloads, and leave the (healthy) instance alone.
        run.abortedAs = "timed_out";
        run.preparing.abort();
      } else {
        run.instance.killFor(id, { status: "failed", error: this.timeoutMessage() });
      }
    }
  }
}
