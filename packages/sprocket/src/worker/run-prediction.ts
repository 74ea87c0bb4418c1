// One prediction on one instance: its file inputs prepared, the run, its output files stored and
// its outcome recorded. Split from worker.ts, which decides where and when predictions run.
import type { StagedFiles } from "../protocol/runner-messages.ts";
import type { Job } from "../queue/queue.ts";
import type { Instance } from "./instance.ts";
import { fetchUrlInputs } from "./url-inputs.ts";
import type { WorkerOptions } from "./worker.ts";

export interface Running {
  instance: Instance;
  startedAt: number;
  /** Aborts the preparation (URL downloads) of a prediction not yet handed to its instance. */
  preparing: AbortController;
  /** Why preparation was aborted (a cancel, or the timeout), to end the prediction that way. */
  abortedAs?: "canceled" | "timed_out";
}

/** What a run needs from the worker that owns the instance. */
export interface RunHost {
  o: Pick<WorkerOptions, "predictions" | "urlInputs" | "outputs" | "log" | "config">;
  /** Predictions being prepared or running, by id (cancel and the timeout find them here). */
  running: Map<string, Running>;
  stopped(): boolean;
  dispatch(pool: string): void;
  /** The run is over and its instance slot free: hand out the next job. */
  released(instance: Instance, pool: string): void;
}

/**
 * Runs `job` on `instance`: URL, data: and uploaded file inputs become local files (a cancel or the
 * timeout stops that), the instance runs it, output files are stored, and the outcome is recorded.
 */
export async function runPrediction(host: RunHost, instance: Instance, job: Job): Promise<void> {
  const { o, running: runningMap } = host;
  const id = job.predictionId;
  const run = o.predictions.runContext(id);
  if (!run) return host.dispatch(job.pool);
  // The slot is taken now, synchronously: the dispatcher's loop must not hand it to another job
  // while this one's inputs are prepared.
  const release = instance.reserve();
  const running: Running = { instance, startedAt: Date.now(), preparing: new AbortController() };
  runningMap.set(id, running);
  // The state changes to `processing` in memory at once; its write commits while the instance
  // already works (writes commit in order, so `processing` is never written after the result).
  const started = o.predictions.markStarted(id);
  // File inputs given as URLs are fetched here, so the model gets local files (and SSRF rules
  // apply in one place). A cancel or the timeout stops the download.
  let prepared: Awaited<ReturnType<typeof fetchUrlInputs>> | undefined;
  let preparationError: string | undefined;
  try {
    prepared = await fetchUrlInputs(run.input, run.fileInputs, o.urlInputs, running.preparing.signal, run.account);
  } catch (error) {
    preparationError = `A file input could not be fetched: ${(error as Error).message}`;
  }
  release();
  if (!prepared || running.abortedAs) {
    void prepared?.cleanup();
    runningMap.delete(id);
    host.dispatch(job.pool);
    await started;
    if (running.abortedAs === "canceled") await o.predictions.markCanceled(id);
    else await o.predictions.fail(id, running.abortedAs === "timed_out" ? timeoutMessage(o.config.predictionTimeoutSeconds) : preparationError!);
    return;
  }
  // Staged output files already stored for this prediction (the final output lists them again).
  const claimed = new Map<string, string>();
  // The first prediction on an instance started for it carries the cold start (extension metrics).
  const cold = instance.takeColdStart();
  if (cold) {
    o.predictions.recordMetric(id, "cold_start_spawn_time", cold.spawn);
    o.predictions.recordMetric(id, "cold_start_setup_time", cold.setup);
  }
  const result = await instance.run(id, prepared.input, {
    onLog: (data) => o.predictions.appendLogs(id, data),
    onOutput: (item, files) => o.predictions.appendOutput(id, persistOutput(o, item, files, claimed)),
    onMetric: (name, value) => o.predictions.recordMetric(id, name, value),
  });
  runningMap.delete(id);
  const cleaned = prepared.cleanup();
  host.released(instance, job.pool);
  // Input copies are deleted (off the event loop) before the result's database write: a big
  // copy still being written back would otherwise hold up that write's sync, and every request
  // behind it.
  await cleaned;
  await started;
  if (result.status === "succeeded") {
    let output: unknown;
    try {
      output = o.outputs.persist(result.output, result.files, claimed);
      // With a shared blob store, the files are where every replica serves them before the result is published.
      await o.outputs.stored?.(output);
    } catch (error) {
      return o.predictions.fail(id, `The prediction's output files could not be stored: ${(error as Error).message}`);
    }
    await o.predictions.succeed(id, output);
  } else if (result.status === "failed" && host.stopped()) {
    await o.predictions.fail(id, "Prediction interrupted: the Sprocket server shut down while it was running.");
  } else if (result.status === "failed") await o.predictions.fail(id, result.error);
  else await o.predictions.markCanceled(id);
}

/** Output items streamed while running: a file that cannot be stored is logged, not fatal here. */
function persistOutput(o: RunHost["o"], item: unknown, files: StagedFiles | undefined, claimed: Map<string, string>): unknown {
  try {
    return o.outputs.persist(item, files, claimed);
  } catch (error) {
    o.log(`worker: an output file could not be stored: ${(error as Error).message}`);
    return null;
  }
}

export function timeoutMessage(seconds: number): string {
  return `Prediction timed out after ${seconds} s (SPROCKET_PREDICTION_TIMEOUT); its instance was stopped.`;
}

/** Ends predictions running longer than the timeout (checked once a second by the worker). */
export function enforceTimeouts(running: ReadonlyMap<string, Running>, timeoutSeconds: number): void {
  const limitMs = timeoutSeconds * 1000;
  const now = Date.now();
  for (const [id, run] of running) {
    if (now - run.startedAt <= limitMs || run.abortedAs) continue;
    if (!run.instance.active.has(id)) {
      // Not on the instance yet: stop its downloads, and leave the (healthy) instance alone.
      run.abortedAs = "timed_out";
      run.preparing.abort();
    } else {
      run.instance.killFor(id, { status: "failed", error: timeoutMessage(timeoutSeconds) });
    }
  }
}
