import type { EventBus, PredictionSnapshot } from "../events/event-bus.ts";
import { newId } from "../lib/ids.ts";
import { TERMINAL_STATUSES, type PredictionStatus } from "../protocol/api-types.ts";
import type { Job, JobQueue, JobRun } from "../queue/queue.ts";
import type { PredictionPatch, PredictionRecord, Store, VersionRecord, WebhookDeliveryRecord } from "../store/store.ts";
import { InputKinds, checkUploadedFiles } from "./input-kinds.ts";
import { DoneWaiters, addWithin } from "./done-waiters.ts";
import { maskSecrets, redactSecrets } from "./secrets.ts";
import { trainingView } from "./training-view.ts";
import { jobOf, type CreatePrediction, type PredictionWebhooks, type RunContext, type TrainingResults } from "./prediction-requests.ts";
import { toSnapshot } from "./wire.ts";

export type { CreatePrediction, PredictionWebhooks, RunContext, TrainingResults } from "./prediction-requests.ts";

const NO_DELIVERIES: WebhookDeliveryRecord[] = [];


/** How long a cancel waits for a worker host to end a prediction it claimed but has not started (a heartbeat is 2 s). */
const CANCEL_CLAIMED_WAIT_MS = 3_000;

/** The channel every prediction event is also published on (for SSE-wide listeners, webhooks). */
export const ALL_PREDICTIONS = "predictions";

/**
 * The state machine. Transitions are idempotent against terminal states: once a prediction is
 * terminal, later events (a late `done`, a crash after cancel) change nothing.
 */
export class PredictionService {
  /** Non-terminal predictions, the source of truth while they run. */
  private readonly live = new Map<string, PredictionRecord>();
  private readonly startedAtMs = new Map<string, number>();
  /**
   * What a run needs beyond the stored record: the real input (Secret values are never stored),
   * the secret values to mask in logs, and which inputs are files to fetch.
   */
  private readonly runs = new Map<string, RunContext>();
  private readonly inputKinds = new InputKinds();
  /** Running predictions whose logs grew since the last flush. */
  private readonly dirtyLogs = new Set<string>();
  private readonly ending = new Set<string>();

  private webhooks?: PredictionWebhooks;

  /**
   * `shared` (scale-out): the queue is shared by worker hosts in other processes, so a prediction is
   * held in memory (`live`) only by the process whose worker runs it (`hold`); every other process
   * reads its row, and hears of its changes through the (Redis) event bus.
   */
  constructor(
    private readonly store: Store,
    private readonly queue: JobQueue,
    private readonly events: EventBus,
    private readonly options: { shared?: boolean; hardwareOf?: (record: PredictionRecord) => Promise<string> } = {},
  ) {
    this.doneWaiters = new DoneWaiters(events, store);
  }

  private readonly doneWaiters: DoneWaiters;

  private trainings?: TrainingResults;

  /** Set once at start: what turns a succeeded training into a version (models/training-results.ts). */
  useTrainingResults(trainings: TrainingResults): void {
    this.trainings = trainings;
  }

  /** Set once at start (the webhook dispatcher is built after this service). */
  useWebhooks(webhooks: PredictionWebhooks): void {
    this.webhooks = webhooks;
  }

  async create(request: CreatePrediction): Promise<PredictionSnapshot> {
    const now = new Date();
    const id = newId(now.getTime());
    const kinds = this.inputKinds.of(request.version);
    if (kinds.files.length > 0) await checkUploadedFiles(this.store, request.account, request.input, kinds.files);
    const { shown, values } = kinds.secrets.length > 0 ? redactSecrets(request.input, kinds.secrets) : { shown: request.input, values: [] };
    const record: PredictionRecord = {
      id,
      account: request.account,
      model: `${request.version.owner}/${request.version.name}`,
      version: request.version.id,
      input: shown,
      output: null,
      logs: "",
      error: null,
      status: "starting",
      source: "api",
      createdAt: now.toISOString(),
      startedAt: null,
      completedAt: null,
      deadline: request.lifetimeSeconds ? new Date(now.getTime() + request.lifetimeSeconds * 1000).toISOString() : null,
      metrics: {},
      webhook: request.webhook ?? null,
      webhookEventsFilter: request.webhookEventsFilter ?? null,
      dataRemoved: false,
      retentionSeconds: request.retentionSeconds ?? null,
      deployment: request.deployment ?? null,
      tokenId: request.tokenId ?? null,
      ...(request.destination ? { kind: "training" as const, destination: request.destination } : {}),
    };
    await this.store.insertPrediction(record);
    // Shared: always, so a worker host in another process need not read the row to run it.
    const run = this.options.shared || values.length > 0 || kinds.files.length > 0 ? { input: request.input, secretValues: values, fileInputs: kinds.files } : undefined;
    if (!this.options.shared) {
      this.live.set(record.id, record);
      if (run) this.runs.set(id, { account: request.account, ...run });
    }
    const snapshot = this.publishStatus(record);
    await this.enqueue(await this.jobOf(record, run));
    return snapshot;
  }

  /** Puts a recovered `starting` prediction back in memory and in the queue (after a restart, or a lost worker). */
  async requeue(record: PredictionRecord, version: VersionRecord | null): Promise<void> {
    const view = version && record.kind === "training" ? trainingView(version) : version;
    const files = view ? this.inputKinds.of(view).files : [];
    const run = this.options.shared || files.length > 0 ? { input: record.input, secretValues: [], fileInputs: files } : undefined;
    if (!this.options.shared) {
      this.live.set(record.id, record);
      if (run) this.runs.set(record.id, { account: record.account, ...run });
    }
    await this.enqueue(await this.jobOf(record, run));
  }

  /** Shared: the job carries the real input to whichever worker host claims it, and the hardware it needs. */
  private async jobOf(record: PredictionRecord, run: JobRun | undefined): Promise<Job> {
    if (!this.options.shared) return jobOf(record);
    return jobOf(record, run, this.options.hardwareOf ? await this.options.hardwareOf(record) : undefined);
  }

  /** Puts a job in the queue; a shared one (Redis) is waited for only briefly (see addWithin). */
  private async enqueue(job: Job): Promise<void> {
    if (!this.options.shared) return this.queue.add(job);
    await addWithin(this.queue.add(job), job.predictionId, this.onQueueTrouble);
  }

  /** Told when the shared queue fails (for the log). */
  onQueueTrouble?: (message: string) => void;

  /**
   * A worker host claimed `job` from the shared queue: the prediction becomes `workerId`'s, unless
   * another worker got it first or it ended meanwhile (a cancel): then false, and it is not run.
   */
  assign(job: Job, workerId: string): Promise<boolean> {
    return this.store.assignPrediction(job.predictionId, workerId);
  }

  /**
   * This process runs (or records the progress of) a prediction it did not create: its row is read
   * into memory, with what its job carried. False if it is finished or gone.
   */
  async hold(id: string, run?: JobRun): Promise<boolean> {
    if (this.live.has(id)) return true;
    const record = await this.store.getPrediction(id);
    if (!record || TERMINAL_STATUSES.has(record.status)) return false;
    if (this.live.has(id)) return true;
    this.live.set(id, record);
    if (record.startedAt) this.startedAtMs.set(id, Date.parse(record.startedAt));
    if (run) this.runs.set(id, { account: record.account, ...run });
    return true;
  }

  /** Stops holding a prediction that is still running elsewhere, its logs and output written first. */
  async letGo(id: string): Promise<void> {
    const record = this.live.get(id);
    if (!record) return;
    this.live.delete(id);
    this.startedAtMs.delete(id);
    this.runs.delete(id);
    this.dirtyLogs.delete(id);
    if (!TERMINAL_STATUSES.has(record.status)) await this.store.updatePrediction(id, { logs: record.logs, output: record.output, metrics: record.metrics });
  }

  /** Whether this process holds the prediction in memory now. */
  holds(id: string): boolean {
    return this.live.has(id);
  }

  /**
   * After a restart: a prediction that was running when the process died cannot be resumed (its
   * instance is gone), so it ends `failed` saying so.
   */
  async resolveInterrupted(record: PredictionRecord): Promise<void> {
    await this.failRecovered(record, "Prediction interrupted: the Sprocket process running it stopped (restart or crash) while it was processing.");
  }

  /** Ends a prediction found unfinished at start-up with `error`. */
  async failRecovered(record: PredictionRecord, error: string): Promise<void> {
    this.live.set(record.id, record);
    await this.fail(record.id, error);
  }

  /** Deadline reached (Cancel-After / lifetime): cancel whoever it belongs to. */
  async cancelForDeadline(id: string): Promise<void> {
    const record = this.live.get(id);
    if (record) await this.requestCancel(id, record.account);
  }

  /** Live predictions whose deadline has passed. */
  overdue(now: number): string[] {
    const ids: string[] = [];
    for (const record of this.live.values()) if (record.deadline && Date.parse(record.deadline) <= now) ids.push(record.id);
    return ids;
  }

  /** What the worker needs to run a prediction: the real input and which inputs are files. */
  runContext(id: string): RunContext | undefined {
    const run = this.runs.get(id);
    if (run) return run;
    const record = this.live.get(id);
    return record ? { account: record.account, input: record.input, secretValues: [], fileInputs: [] } : undefined;
  }

  /** The in-memory state of a live prediction (fresher than its row), or undefined. */
  liveSnapshot(id: string): PredictionSnapshot | undefined {
    const record = this.live.get(id);
    return record ? toSnapshot(record) : undefined;
  }

  /**
   * Resolves with the prediction once it is terminal, or null after `timeoutMs`. Answered from the
   * status event itself, not by reading the store again.
   */
  waitUntilDone(id: string, timeoutMs: number): Promise<PredictionSnapshot | null> {
    const record = this.live.get(id);
    if (!record && !this.options.shared) return this.store.getPrediction(id).then((row) => (row ? toSnapshot(row) : null));
    if (record && TERMINAL_STATUSES.has(record.status)) return Promise.resolve(toSnapshot(record));
    return this.doneWaiters.wait(id, timeoutMs, record !== undefined);
  }

  /** Ends every waitUntilDone now, as if it had timed out (the server is shutting down). */
  releaseWaiters(): void {
    this.doneWaiters.releaseAll();
  }

  /** The prediction whoever holds its stream URL sees (the URL is the credential), or null. */
  async getForStream(id: string): Promise<PredictionSnapshot | null> {
    const record = this.live.get(id) ?? (await this.store.getPrediction(id));
    return record ? toSnapshot(record) : null;
  }

  /** Calls `listener` whenever the prediction changes (output, logs, status). */
  watch(id: string, listener: () => void): () => void {
    return this.events.subscribe(id, () => listener());
  }

  /** The prediction as its owner sees it, or null if it does not exist or is someone else's. */
  async get(id: string, account: string): Promise<PredictionSnapshot | null> {
    const record = this.live.get(id) ?? (await this.store.getPrediction(id));
    if (!record || record.account !== account) return null;
    return toSnapshot(record);
  }

  async markStarted(id: string): Promise<void> {
    const record = this.live.get(id);
    if (!record || record.status !== "starting") return;
    const now = Date.now();
    this.startedAtMs.set(id, now);
    await this.update(record, { status: "processing", startedAt: new Date(now).toISOString() });
  }

  appendLogs(id: string, data: string): void {
    const record = this.live.get(id);
    if (!record) return;
    const run = this.runs.get(id);
    if (run && run.secretValues.length > 0) {
      // Mask over the whole text so far: a secret printed in two writes is masked too.
      record.logs = maskSecrets(record.logs + data, run.secretValues);
      data = "";
    }
    record.logs += data;
    this.dirtyLogs.add(id);
    this.events.publish(id, { type: "log", id, data });
    if (record.webhook) this.webhooks?.onProgress(record, "logs");
  }

  appendOutput(id: string, item: unknown): void {
    const record = this.live.get(id);
    if (!record) return;
    const output = Array.isArray(record.output) ? record.output : [];
    output.push(item);
    record.output = output;
    // Written with the logs on their timer, so other processes' reads see streamed output too.
    if (this.options.shared) this.dirtyLogs.add(id);
    this.events.publish(id, { type: "output", id, item });
    if (record.webhook) this.webhooks?.onProgress(record, "output");
  }

  recordMetric(id: string, name: string, value: number): void {
    const record = this.live.get(id);
    if (record) record.metrics = { ...record.metrics, [name]: value };
  }

  async succeed(id: string, output: unknown): Promise<void> {
    const record = this.live.get(id);
    if (record?.kind === "training" && this.trainings) {
      let result: unknown;
      try {
        result = await this.trainings.complete(record, output === undefined ? null : output);
      } catch (error) {
        return this.fail(id, `The training finished but its result could not become a version of ${record.destination}: ${(error as Error).message}`);
      }
      return this.finish(id, "succeeded", { output: result, error: null });
    }
    await this.finish(id, "succeeded", { output: output === undefined ? null : output, error: null });
  }

  async fail(id: string, error: string): Promise<void> {
    const secrets = this.runs.get(id)?.secretValues ?? [];
    await this.finish(id, "failed", { error: secrets.length > 0 ? maskSecrets(error, secrets) : error });
  }

  /** Ends a prediction as canceled. Used by the worker once the predictor has stopped. */
  async markCanceled(id: string): Promise<void> {
    await this.finish(id, "canceled", {});
  }

  /**
   * A user's cancel: a queued prediction is canceled at once; a running one is asked to stop
   * (the worker listens for `cancel_requested`) and ends `canceled` when its instance confirms or
   * is killed. A finished prediction is returned unchanged. `waitForClaimed`: see below (a sweep doesn't).
   */
  async requestCancel(id: string, account: string, waitForClaimed = true): Promise<PredictionSnapshot | null> {
    const record = this.live.get(id) ?? (this.options.shared ? await this.store.getPrediction(id) : null);
    if (!record || TERMINAL_STATUSES.has(record.status)) return this.get(id, account);
    if (record.account !== account) return null;
    if (record.status === "starting" && !record.workerId && (await this.queue.cancel(id))) {
      this.live.set(id, record);
      await this.markCanceled(id);
    } else {
      const done = record.status === "starting" && this.options.shared && waitForClaimed ? this.waitUntilDone(id, CANCEL_CLAIMED_WAIT_MS) : null;
      this.events.publish(ALL_PREDICTIONS, { type: "cancel_requested", id });
      // Claimed by a worker host but not started: it ends there within a heartbeat, and a cancel
      // of a queued prediction answers canceled (as in embedded mode), so wait for that.
      await done;
    }
    return this.get(id, account);
  }

  /** Writes accumulated logs of running predictions (called on a timer, never per line). */
  async flushLogs(): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const id of this.dirtyLogs) {
      const record = this.live.get(id);
      if (record?.status === "processing") writes.push(this.store.updatePrediction(id, this.options.shared ? { logs: record.logs, output: record.output } : { logs: record.logs }));
    }
    this.dirtyLogs.clear();
    // Issued together, they share one group commit.
    await Promise.all(writes);
  }

  private async finish(id: string, status: PredictionStatus, patch: PredictionPatch): Promise<void> {
    const record = this.live.get(id);
    // Ending already (its write is out): a second end (a cancel racing the result) changes nothing.
    if (!record || TERMINAL_STATUSES.has(record.status) || this.ending.has(id)) return;
    this.ending.add(id);
    try {
      const now = Date.now();
      const metrics = { ...record.metrics };
      const started = this.startedAtMs.get(id);
      if (started !== undefined) metrics.predict_time = (now - started) / 1000;
      metrics.total_time = (now - Date.parse(record.createdAt)) / 1000;
      // Before the terminal state is published: whoever sees it finished sees its spend counted too.
      if (record.tokenId && metrics.predict_time) await this.store.addTokenSpend(record.tokenId, metrics.predict_time);
      await this.update(record, {
        ...patch,
        status,
        logs: record.logs,
        output: patch.output !== undefined ? patch.output : record.output,
        completedAt: new Date(now).toISOString(),
        metrics,
        ...(record.retentionSeconds != null ? { dataExpiresAt: new Date(now + record.retentionSeconds * 1000).toISOString() } : {}),
      });
    } finally {
      this.ending.delete(id);
    }
    // Only once the terminal state is durable does the store become the source of truth. (If the
    // write failed, it stays here unchanged, and the error reaches the caller.)
    for (const held of [this.live, this.startedAtMs, this.dirtyLogs, this.runs]) held.delete(id);
  }

  private async update(record: PredictionRecord, patch: PredictionPatch): Promise<void> {
    // An end is seen (GET, `Prefer: wait`) only once durable with its webhook messages; a start at once.
    const ending = patch.status !== undefined && TERMINAL_STATUSES.has(patch.status);
    if (!ending) Object.assign(record, patch);
    const deliveries = record.webhook && this.webhooks ? this.webhooks.onStatus({ ...record, ...patch }) : NO_DELIVERIES;
    await this.store.updatePrediction(record.id, patch, deliveries);
    Object.assign(record, patch);
    this.publishStatus(record);
    if (deliveries.length > 0) this.webhooks!.committed(deliveries);
  }

  private publishStatus(record: PredictionRecord): PredictionSnapshot {
    const prediction = toSnapshot(record);
    this.events.publish(record.id, { type: "status", prediction });
    this.events.publish(ALL_PREDICTIONS, { type: "status", prediction });
    return prediction;
  }
}
