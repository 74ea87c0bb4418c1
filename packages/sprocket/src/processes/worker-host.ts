import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Config } from "../config/index.ts";
import { AppError } from "../errors/index.ts";
import { LocalEventBus } from "../events/local-event-bus.ts";
import { LocalBlobStore } from "../files/local-blob-store.ts";
import { materialize } from "../models/bundle.ts";
import { checkCogYaml } from "../models/cog-yaml.ts";
import { ALL_PREDICTIONS } from "../predictions/prediction-service.ts";
import type { RemoteDeployment, RemoteJob } from "../predictions/remote-runs.ts";
import { runtimeOf } from "../protocol/cog-reference.ts";
import { LocalQueue } from "../queue/local-queue.ts";
import { WORKER_HEARTBEAT_MS } from "../scheduler/lost-workers.ts";
import { GpuDevices } from "../worker/gpu-devices.ts";
import { startHeartbeat } from "../worker/heartbeat.ts";
import { JobFeeder } from "../worker/job-feeder.ts";
import { describeInterpreter, prepareEnvironment } from "../worker/python-environment.ts";
import { runnerCommands } from "../worker/runner-command.ts";
import { Worker } from "../worker/worker.ts";
import { ApiClient } from "./api-client.ts";
import { modelEnvironment } from "./child-env.ts";
import { detectGpus, listHardware } from "./hardware.ts";
import { makeLogger } from "./logger.ts";
import { newWorkerId } from "./open-shared.ts";
import { ApiJobSource, RemoteOutputs, RemotePredictions, WorkerApi } from "./worker-link.ts";

export interface WorkerHostOptions {
  serverUrl: string;
  token: string;
  /** Where version files, blobs and staged outputs are kept on this host. */
  dataDir: string;
  /** Shown in the server's worker list and in errors; default: this host's name. */
  name?: string;
  config: Config;
  env: Record<string, string | undefined>;
  execPath: string;
}

export interface RunningWorkerHost {
  workerId: string;
  close(): Promise<void>;
}

/**
 * `sprocket worker --server URL --token T`: a worker host that reaches Sprocket only through its
 * API (api/routes/workers.ts) — no database or Redis here. It claims jobs, fetches each version's
 * files once (content-addressed), runs them on warm instances exactly as `serve` does (the same
 * Worker), reports progress and uploads output files through the API, and heartbeats; the server
 * ends or requeues its predictions if it stops (scheduler/lost-workers.ts).
 */
export async function runWorkerHost(o: WorkerHostOptions): Promise<RunningWorkerHost> {
  const log = makeLogger(o.config.logLevel);
  const client = new ApiClient(o.serverUrl, o.token);
  const account = await client.json<{ username: string }>("GET", "/v1/account");
  if (account.username !== "admin") throw new AppError("forbidden", `a worker host needs a full token of the admin account, not of "${account.username}"`);
  const workerId = newWorkerId();
  const dirs = { blobs: path.join(o.dataDir, "blobs"), versions: path.join(o.dataDir, "versions"), staging: path.join(o.dataDir, "staging"), inputs: path.join(o.dataDir, "inputs"), envs: path.join(o.dataDir, "envs") };
  for (const dir of [dirs.staging, dirs.inputs]) rmSync(dir, { recursive: true, force: true });
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });

  const blobs = new LocalBlobStore(dirs.blobs);
  const interpreter = await describeInterpreter(o.config.python);
  const runners = runnerCommands(o.execPath, interpreter.executable);
  const childEnv = modelEnvironment(o.env);
  const gpus = await detectGpus();
  const hardware = listHardware(gpus);
  const api = new WorkerApi(client, workerId, hardware.map((h) => h.sku));
  const environments = { python: interpreter.executable, pythonVersion: interpreter.version, env: childEnv, envsDir: dirs.envs, hasGpu: hardware.some((h) => h.sku.startsWith("gpu-")) };
  const events = new LocalEventBus();
  const queue = new LocalQueue();
  const cancel = (id: string) => events.publish(ALL_PREDICTIONS, { type: "cancel_requested", id });
  const predictions = new RemotePredictions(api, cancel, (message) => log.warn(message));
  const versionHardware = new Map<string, string>();
  const versionsReady = new Map<string, Promise<void>>();

  // A version's files, fetched once per host (the blobs a version shares with another are fetched once too).
  const ensureVersion = async (versionId: string) => {
    const dir = path.join(dirs.versions, versionId);
    const { files } = await api.versionFiles(versionId);
    for (const sha of new Set(Object.values(files))) {
      if (await blobs.has(sha)) continue;
      await blobs.ingest(await api.download(`/v1/workers/blobs/${sha}`), {
        maxBytes: o.config.blobLimitBytes,
        overLimit: () => new AppError("body_too_large", `a file of version ${versionId} is over SPROCKET_BLOB_LIMIT`),
        expectSha256: sha,
        mismatch: (actual) => new AppError("bundle_invalid", `blob ${sha} arrived as ${actual}`),
      });
    }
    await materialize(dir, files, blobs);
    const cog = checkCogYaml(readFileSync(path.join(dir, "cog.yaml"), "utf8"));
    await prepareEnvironment(dir, cog.build, runtimeOf(cog.predictor), environments);
  };
  const prepare = (job: RemoteJob) => {
    versionHardware.set(job.versionId, job.hardware);
    let ready = versionsReady.get(job.versionId);
    if (!ready) {
      ready = ensureVersion(job.versionId);
      versionsReady.set(job.versionId, ready);
      ready.catch(() => versionsReady.delete(job.versionId));
    }
    return ready;
  };

  const worker = new Worker({
    queue,
    predictions,
    events,
    config: o.config,
    versionDir: (id) => path.join(dirs.versions, id),
    runners,
    outputs: new RemoteOutputs(dirs.staging),
    urlInputs: {
      maxBytes: o.config.inputFileLimitBytes,
      timeoutMs: 120_000,
      allowPrivate: o.config.allowPrivateUrls,
      // Files uploaded to the server (`…/v1/files/{id}`) come through the worker API.
      uploadedFile: async (account, id) => {
        const target = path.join(dirs.inputs, randomBytes(9).toString("base64url"));
        const response = await client.request("GET", `/v1/workers/files/${encodeURIComponent(account)}/${encodeURIComponent(id)}`);
        if (response.status === 404) return null;
        if (!response.ok || !response.body) throw ApiClient.errorOf(response, await response.text());
        await pipeline(response.body as never, createWriteStream(target));
        return { path: target, name: decodeURIComponent(response.headers.get("x-file-name") ?? id) };
      },
    },
    env: childEnv,
    spareRunner: o.config.spareRunner,
    gpus: new GpuDevices(gpus),
    hardwareOf: async (id) => versionHardware.get(id) ?? "cpu",
    log: (message) => log.info(message),
  });
  worker.start();
  const feeder = new JobFeeder(new ApiJobSource(api, predictions, prepare), queue, (message) => log.warn(message));
  let deployments = "";
  const heartbeat = startHeartbeat(
    { id: workerId, name: o.name ?? hostname(), hardware: hardware.map((h) => h.sku) },
    () => ({ instances: worker.stats(), running: worker.heldIds() }),
    async (record) => {
      const answer = await api.heartbeat(record);
      for (const id of answer.cancel) cancel(id);
      const seen = JSON.stringify(answer.deployments);
      if (seen !== deployments) {
        applyDeployments(worker, deployments ? (JSON.parse(deployments) as RemoteDeployment[]) : [], answer.deployments);
        deployments = seen;
      }
    },
    WORKER_HEARTBEAT_MS,
    (message) => log.warn(message),
  );
  await heartbeat.beat();
  feeder.start();
  log.info(`worker ${workerId} serving ${o.serverUrl} (${hardware.map((h) => h.sku).join(", ")})`);

  return {
    workerId,
    async close() {
      // Drain: take nothing new, finish what was claimed (heartbeating all the while), report it, stop.
      await feeder.stop();
      while (worker.heldIds().length > 0 || !predictions.idle()) await new Promise((resolve) => setTimeout(resolve, 100));
      heartbeat.stop();
      await worker.stop();
    },
  };
}

/** Deployment pools follow the server's releases: new or changed ones are configured, vanished ones retire. */
function applyDeployments(worker: Worker, before: RemoteDeployment[], now: RemoteDeployment[]): void {
  const names = new Set(now.map((d) => d.name));
  for (const d of now) worker.configureDeployment(d.name, { version: d.version, hardware: d.hardware, minInstances: d.min_instances, maxInstances: d.max_instances });
  for (const d of before) if (!names.has(d.name)) worker.configureDeployment(d.name, null);
}
