import type { Config } from "../config/index.ts";
import type { EventBus, Unsubscribe } from "../events/event-bus.ts";
import type { OutputFiles } from "../files/output-files.ts";
import { ALL_PREDICTIONS, type PredictionService } from "../predictions/prediction-service.ts";
import type { StagedFiles } from "../protocol/runner-messages.ts";
import type { Job, Queue } from "../queue/queue.ts";
import { Instance } from "./instance.ts";
import { runnerForDir, type RunnerCommands } from "./runner-command.ts";
import { fetchUrlInputs, type UrlInputOptions } from "./url-inputs.ts";

export interface WorkerOptions {
  queue: Queue;
  predictions: PredictionService;
  events: EventBus;
  config: Pick<Config, "instancesPerVersion" | "predictionTimeoutSeconds" | "cancelGraceMs" | "setupTimeoutSeconds" | "instanceIdleSeconds">;
  /** Where a version's files are on disk. */
  versionDir(versionId: string): string;
  runners: RunnerCommands;
  /** Limits for fetching URL file inputs. */
  urlInputs: UrlInputOptions;
  /** Stores file outputs (staged by the runners, or data: URIs) and returns the output with references. */
  outputs: Pick<OutputFiles, "persist" | "stagingDir">;
  /** The environment model processes get (the server's secrets already removed). */
  env: Record<string, string>;
  log(message: string): void;
}

interface Pool {
  instances: Instance[];
}

interface Running {
  instance: Instance;
  startedAt: number;
  /** Aborts the preparation (URL downloads) of a prediction not yet handed to its instance. */
  preparing: AbortController;
  /** Why preparation was aborted (a cancel, or the timeout), to end the prediction that way. */
  abortedAs?: "canceled" | "timed_out";
}

/** Runs queued predictions on warm instances, one pool of instances per version. */
export class Worker {
  private readonly pools = new Map<string, Pool>();
  private readonly running = new Map<string, Running>();
  private unsubscribe?: Unsubscribe;
  private sweep?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly o: WorkerOptions) {}

  start(): void {
    this.o.queue.onEnqueue((versionId) => this.dispatch(versionId));
    this.unsubscribe = this.o.events.subscribe(ALL_PREDICTIONS, (event) => {
      if (event.type === "cancel_requested") this.cancel(event.id);
    });
    // Timeouts and idle instances are checked once a second rather than with a timer each.
    this.sweep = setInterval(() => {
      this.enforceTimeouts();
      this.stopIdleInstances();
    }, 1000);
    this.sweep.unref();
    // Jobs queued before the worker started (recovered at start-up) are waiting.
    for (const versionId of this.o.queue.pendingVersions()) this.dispatch(versionId);
  }

  /** Instances per version, for visibility and tests. */
  instanceCount(versionId?: string): number {
    if (versionId !== undefined) return this.pools.get(versionId)?.instances.length ?? 0;
    let total = 0;
    for (const pool of this.pools.values()) total += pool.instances.length;
    return total;
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

  private pool(versionId: string): Pool {
    let pool = this.pools.get(versionId);
    if (!pool) {
      pool = { instances: [] };
      this.pools.set(versionId, pool);
    }
    return pool;
  }

  /** Hands queued jobs of a version to instances with free capacity; starts one if needed. */
  private dispatch(versionId: string): void {
    if (this.stopped) return;
    const pool = this.pool(versionId);
    while (this.o.queue.depth(versionId) > 0) {
      const instance = pool.instances.find((i) => i.state === "ready" && i.load < i.concurrency);
      if (!instance) {
        const starting = pool.instances.some((i) => i.state === "starting");
        if (!starting && pool.instances.length < this.o.config.instancesPerVersion) this.startInstance(versionId, pool);
        return;
      }
      const job = this.o.queue.take(versionId)!;
      this.execute(instance, job).catch((error) => this.reportError(error));
    }
  }

  private startInstance(versionId: string, pool: Pool): void {
    const dir = this.o.versionDir(versionId);
    let runner;
    try {
      runner = runnerForDir(dir, this.o.runners);
    } catch (error) {
      return this.failQueued(versionId, `The model could not be started: ${(error as Error).message}`);
    }
    const instance = new Instance({
      dir,
      runner,
      // File outputs are copied here by the runner and moved into place by OutputFiles.
      env: { ...this.o.env, SPROCKET_OUTPUT_DIR: this.o.outputs.stagingDir },
      setupTimeoutMs: this.o.config.setupTimeoutSeconds * 1000,
      onInstanceLog: (data) => this.o.log(`[${versionId.slice(0, 12)} pid ${instance.pid}] ${data.trimEnd()}`),
      onExit: () => {
        pool.instances.splice(pool.instances.indexOf(instance), 1);
        // Work may be waiting for a replacement.
        queueMicrotask(() => this.dispatch(versionId));
      },
    });
    pool.instances.push(instance);
    instance.start().then(
      () => this.dispatch(versionId),
      (error: Error) => {
        // Stopping interrupts setup on purpose: the waiting jobs stay queued for the next start.
        if (this.stopped) return;
        // Another instance of the pool may still serve them.
        if (pool.instances.some((other) => other !== instance && other.state !== "dead")) return this.dispatch(versionId);
        this.failQueued(versionId, `The model's setup failed: ${error.message}`);
      },
    );
  }

  /** A setup failure ends every prediction waiting for that version with the setup's error. */
  private failQueued(versionId: string, error: string): void {
    let job: Job | undefined;
    while ((job = this.o.queue.take(versionId))) this.o.predictions.fail(job.predictionId, error).catch((e) => this.reportError(e));
  }

  private reportError(error: unknown): void {
    this.o.log(`worker: could not record a prediction's outcome: ${error instanceof Error ? error.stack : String(error)}`);
  }

  private async execute(instance: Instance, job: Job): Promise<void> {
    const id = job.predictionId;
    const run = this.o.predictions.runContext(id);
    if (!run) return this.dispatch(job.versionId);
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
      prepared?.cleanup();
      this.running.delete(id);
      this.dispatch(job.versionId);
      await started;
      if (running.abortedAs === "canceled") await this.o.predictions.markCanceled(id);
      else await this.o.predictions.fail(id, running.abortedAs === "timed_out" ? this.timeoutMessage() : preparationError!);
      return;
    }
    // Staged output files already stored for this prediction (the final output lists them again).
    const claimed = new Map<string, string>();
    const result = await instance.run(id, prepared.input, {
      onLog: (data) => this.o.predictions.appendLogs(id, data),
      onOutput: (item, files) => this.o.predictions.appendOutput(id, this.persistOutput(item, files, claimed)),
      onMetric: (name, value) => this.o.predictions.recordMetric(id, name, value),
    });
    this.running.delete(id);
    prepared.cleanup();
    // The instance is free again: give it the next job before this result is written.
    this.dispatch(job.versionId);
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

  /** Instances with nothing to do for longer than the idle window stop (scale to zero). */
  private stopIdleInstances(): void {
    const idleMs = this.o.config.instanceIdleSeconds * 1000;
    const now = Date.now();
    for (const [versionId, pool] of this.pools) {
      for (const instance of pool.instances) {
        if (instance.state === "ready" && instance.load === 0 && now - instance.lastUsed > idleMs && this.o.queue.depth(versionId) === 0) {
          void instance.shutdown();
        }
      }
      if (pool.instances.length === 0 && this.o.queue.depth(versionId) === 0) this.pools.delete(versionId);
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
