// A `sprocket worker` host's side of the worker API (api/routes/workers.ts): everything it tells
// or asks the server goes through here, over HTTP with the operator's token.
import { createReadStream, rmSync, statSync } from "node:fs";
import { Readable } from "node:stream";
import { AppError, type ErrorCode } from "../errors/index.ts";
import { maskSecrets } from "../predictions/secrets.ts";
import type { RemoteDeployment, RemoteJob, RemoteUpdate } from "../predictions/remote-runs.ts";
import type { RunContext } from "../predictions/prediction-service.ts";
import { mapStrings } from "../protocol/file-refs.ts";
import { STAGED_PREFIX, type StagedFiles } from "../protocol/runner-messages.ts";
import type { Job } from "../queue/queue.ts";
import type { WorkerRecord } from "../store/store.ts";
import type { JobSource } from "../worker/job-feeder.ts";
import type { WorkerPredictions } from "../worker/worker.ts";
import { ApiClient } from "./api-client.ts";

/** Answers that mean the server will never take this batch (as opposed to: not now). */
const REFUSED = new Set<ErrorCode>(["bad_request", "validation_failed", "body_too_large", "not_found"]);

/** Marks an output file still to upload: NUL never appears in a staged token nor in a path we make. */
const UPLOAD_MARK = "\u0000sprocket-upload\u0000";

/** The worker API, for one worker id. */
export class WorkerApi {
  constructor(
    readonly client: ApiClient,
    readonly workerId: string,
    /** The hardware SKUs this host has: it claims only jobs for them. */
    readonly hardware: readonly string[],
  ) {}

  heartbeat(worker: WorkerRecord): Promise<{ cancel: string[]; deployments: RemoteDeployment[] }> {
    return this.client.json("POST", `/v1/workers/${this.workerId}/heartbeat`, { name: worker.name, hardware: worker.hardware, instances: worker.instances, running: worker.running, started_at: worker.startedAt });
  }

  async claim(max: number, waitMs: number): Promise<RemoteJob[]> {
    return (await this.client.json<{ jobs: RemoteJob[] }>("POST", `/v1/workers/${this.workerId}/claim`, { max, wait_ms: waitMs, hardware: this.hardware })).jobs;
  }

  update(updates: RemoteUpdate[]): Promise<{ gone: string[] }> {
    return this.client.json("POST", `/v1/workers/${this.workerId}/updates`, { updates });
  }

  versionFiles(versionId: string): Promise<{ files: Record<string, string> }> {
    return this.client.json("GET", `/v1/workers/versions/${versionId}`);
  }

  /** A blob's or an uploaded file's bytes, streamed. */
  async download(path: string): Promise<Readable> {
    const response = await this.client.request("GET", path);
    if (!response.ok || !response.body) throw ApiClient.errorOf(response, await response.text());
    return Readable.fromWeb(response.body as never);
  }

  /** Uploads a staged output file; returns its reference (what the output holds). */
  async uploadOutput(staged: StagedFiles[string]): Promise<string> {
    const query = new URLSearchParams({ name: staged.name ?? "", content_type: staged.content_type ?? "" });
    const body = Readable.toWeb(createReadStream(staged.path)) as unknown as ReadableStream;
    const size = statSync(staged.path).size;
    const { ref } = await this.client.json<{ ref: string }>("POST", `/v1/workers/${this.workerId}/outputs?${query}`, body, { "content-type": "application/octet-stream", "content-length": String(size) });
    return ref;
  }
}

/**
 * The predictions a remote worker runs, as the Worker sees them (WorkerPredictions): each change
 * goes into an outbox sent in order, batched while one request is out, retried until it gets
 * through. Logs are masked here (the Secret values came with the job). Output files are uploaded
 * just before the update that names them. Predictions the server says have ended are canceled here.
 */
export class RemotePredictions implements WorkerPredictions {
  private readonly contexts = new Map<string, RunContext>();
  /** Output files uploaded, by prediction: upload mark → reference (see uploadFiles). */
  private readonly uploaded = new Map<string, Map<string, string>>();
  private outbox: { update: RemoteUpdate; done?: () => void }[] = [];
  private sending = false;

  constructor(
    private readonly api: WorkerApi,
    private readonly onGone: (id: string) => void,
    private readonly log: (message: string) => void,
  ) {}

  /** A claimed job's run context (its real input, Secret values and file inputs). */
  adopt(job: RemoteJob): void {
    this.contexts.set(job.predictionId, { account: job.account, ...job.run });
  }

  runContext(id: string): RunContext | undefined {
    return this.contexts.get(id);
  }

  markStarted(id: string): Promise<void> {
    return this.send({ id, type: "started" });
  }

  appendLogs(id: string, data: string): void {
    const secrets = this.contexts.get(id)?.secretValues ?? [];
    void this.send({ id, type: "log", data: secrets.length ? maskSecrets(data, secrets) : data });
  }

  appendOutput(id: string, item: unknown): void {
    void this.send({ id, type: "output", item });
  }

  recordMetric(id: string, name: string, value: number): void {
    void this.send({ id, type: "metric", name, value });
  }

  async succeed(id: string, output: unknown): Promise<void> {
    await this.send({ id, type: "succeeded", output: output === undefined ? null : output });
    this.contexts.delete(id);
  }

  async fail(id: string, error: string): Promise<void> {
    await this.send({ id, type: "failed", error });
    this.contexts.delete(id);
  }

  async markCanceled(id: string): Promise<void> {
    await this.send({ id, type: "canceled" });
    this.contexts.delete(id);
  }

  /** Whether every update has reached the server. */
  idle(): boolean {
    return this.outbox.length === 0 && !this.sending;
  }

  /** Resolves once the update has reached the server. */
  private send(update: RemoteUpdate): Promise<void> {
    return new Promise((resolve) => {
      this.outbox.push({ update, done: resolve });
      if (!this.sending) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.sending = true;
    let failures = 0;
    while (this.outbox.length > 0) {
      const batch = this.outbox.slice(0, 500);
      try {
        const updates = [];
        for (const { update } of batch) updates.push(await this.uploadFiles(update));
        const { gone } = await this.api.update(updates);
        this.outbox.splice(0, batch.length);
        for (const { update, done } of batch) {
          if (update.type === "succeeded" || update.type === "failed" || update.type === "canceled") this.uploaded.delete(update.id);
          done?.();
        }
        for (const id of gone) this.onGone(id);
        if (failures > 0) this.log("worker: reporting to the server again");
        failures = 0;
      } catch (error) {
        // The server refused the batch itself (not unavailable): sending it again would not help.
        if (error instanceof AppError && REFUSED.has(error.code)) {
          this.log(`worker: the server refused ${batch.length} update(s) (${error.message}); dropped`);
          this.outbox.splice(0, batch.length);
          for (const { done } of batch) done?.();
          continue;
        }
        if (failures++ === 0) this.log(`worker: could not report to the server (${(error as Error).message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** failures)));
      }
    }
    this.sending = false;
  }

  /**
   * Output files marked by RemoteOutputs are uploaded once and replaced by their reference: a file a
   * model streamed and then returned again in its final output (and a batch sent again after a
   * failure) reuses the reference, kept until the prediction's result has been sent.
   */
  private async uploadFiles(update: RemoteUpdate): Promise<RemoteUpdate> {
    if (update.type !== "output" && update.type !== "succeeded") return update;
    const value = update.type === "output" ? update.item : update.output;
    const marks: string[] = [];
    mapStrings(value, (text) => (text.startsWith(UPLOAD_MARK) && !marks.includes(text) && marks.push(text), text));
    if (marks.length === 0) return update;
    const refs = this.uploaded.get(update.id) ?? new Map<string, string>();
    this.uploaded.set(update.id, refs);
    await Promise.all(
      marks
        .filter((mark) => !refs.has(mark))
        .map(async (mark) => {
          const staged = JSON.parse(mark.slice(UPLOAD_MARK.length)) as StagedFiles[string];
          refs.set(mark, await this.api.uploadOutput(staged));
          rmSync(staged.path, { force: true });
        }),
    );
    const replaced = mapStrings(value, (text) => refs.get(text) ?? text);
    return update.type === "output" ? { ...update, item: replaced } : { ...update, output: replaced };
  }
}

/** Outputs on a remote worker: staged files are marked for upload (RemotePredictions sends them); data: URIs go as they are. */
export class RemoteOutputs {
  constructor(readonly stagingDir: string) {}

  persist(output: unknown, files?: StagedFiles, claimed?: Map<string, string>): unknown {
    return mapStrings(output, (text) => {
      if (!text.startsWith(STAGED_PREFIX)) return text;
      const token = text.slice(STAGED_PREFIX.length);
      const known = claimed?.get(token);
      if (known) return known;
      const staged = files?.[token];
      if (!staged) return text;
      const mark = UPLOAD_MARK + JSON.stringify(staged);
      claimed?.set(token, mark);
      return mark;
    });
  }
}

/** Claims through the API; each job's version is made ready on this host before it is queued here. */
export class ApiJobSource implements JobSource {
  constructor(
    private readonly api: WorkerApi,
    private readonly predictions: RemotePredictions,
    private readonly prepare: (job: RemoteJob) => Promise<void>,
  ) {}

  async claim(max: number, waitMs: number): Promise<Job[]> {
    const ready: Job[] = [];
    for (const job of await this.api.claim(max, waitMs)) {
      this.predictions.adopt(job);
      try {
        await this.prepare(job);
        ready.push(job);
      } catch (error) {
        await this.predictions.fail(job.predictionId, `The worker host could not get the model ready: ${(error as Error).message}`);
      }
    }
    return ready;
  }
}

