import { existsSync, readdirSync } from "node:fs";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { TokenService } from "../accounts/token-service.ts";
import { presentPrediction } from "../api/present.ts";
import { Metrics } from "../api/metrics.ts";
import { buildApi } from "../api/server.ts";
import { UrlSigner } from "../api/urls.ts";
import type { Config } from "../config/index.ts";
import { AppError } from "../errors/index.ts";
import { OutputFiles } from "../files/output-files.ts";
import { DeploymentService } from "../models/deployment-service.ts";
import { ModelService } from "../models/model-service.ts";
import { TrainingVersions } from "../models/training-results.ts";
import { InputValidator } from "../predictions/input-validator.ts";
import { PredictionService } from "../predictions/prediction-service.ts";
import { RemoteRuns } from "../predictions/remote-runs.ts";
import { recoverPredictions } from "../scheduler/recovery.ts";
import { WORKER_HEARTBEAT_MS, startLostWorkerSweep } from "../scheduler/lost-workers.ts";
import { JobFeeder, SharedQueueSource } from "../worker/job-feeder.ts";
import { startHeartbeat } from "../worker/heartbeat.ts";
import { newWorkerId, openQueueAndEvents } from "./open-shared.ts";
import { followDeployments } from "./follow-deployments.ts";
import { followWorkerHardware } from "./follow-hardware.ts";
import { removeExpiredData } from "../scheduler/retention.ts";
import { startTicker } from "../scheduler/ticker.ts";
import { openBlobStore } from "./open-blob-store.ts";
import { openStore } from "./open-store.ts";
import type { PredictionRecord, Store } from "../store/store.ts";
import { UploadService } from "../uploads/upload-service.ts";
import { GpuDevices } from "../worker/gpu-devices.ts";
import { runnerCommands } from "../worker/runner-command.ts";
import { describeInterpreter, prepareEnvironment } from "../worker/python-environment.ts";
import { readModelSchema } from "../worker/schema-reader.ts";
import { WebhookDispatcher } from "../webhooks/webhook-dispatcher.ts";
import { Worker } from "../worker/worker.ts";
import { modelEnvironment } from "./child-env.ts";
import { adminTokenFor, dataPaths, ensureDataDir, readOrCreateSecret } from "./data-dir.ts";
import { detectGpus, listHardware } from "./hardware.ts";
import { makeLogger } from "./logger.ts";
import { registerDirectory } from "./register-model.ts";

export interface ServeOptions {
  config: Config;
  /** The process environment, from which model processes get theirs. */
  env: Record<string, string | undefined>;
  execPath: string;
}

export interface RunningServer {
  url: string;
  port: number;
  adminToken: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

const EXAMPLES_DIR = fileURLToPath(new URL("../../../../examples/", import.meta.url));

/**
 * `sprocket serve`: API, scheduler and a local worker in one process, on SQLite; or, with
 * SPROCKET_DATABASE_URL and SPROCKET_REDIS_URL, one of several API replicas (and worker hosts)
 * sharing PostgreSQL, a BullMQ queue and a Redis event bus (docs/architecture/02-store-and-queue.md).
 */
export async function serve({ config, env, execPath }: ServeOptions): Promise<RunningServer> {
  const log = makeLogger(config.logLevel);
  const paths = dataPaths(config.dataDir);
  ensureDataDir(paths.root);

  const store = await openStore(config, paths.database, { background: true, onError: (message) => log.warn(message) });
  let shared;
  try {
    shared = await openQueueAndEvents(config, (message) => log.warn(message));
  } catch (error) {
    await store.close();
    throw error;
  }
  // `queue` is what this process's worker dispatches from; `shared.jobs` is where predictions are queued.
  const { local: queue, events } = shared;
  const { blobs, shared: sharedBlobs } = await openBlobStore(config, paths.blobs).catch(async (error: unknown) => {
    await shared.close();
    await store.close();
    throw error;
  });
  const outputs = new OutputFiles(blobs, paths.outputs, {
    shared: sharedBlobs,
    log: (message) => log.warn(message),
    stagingName: shared.shared ? `staging-${hostname()}-${process.pid}` : undefined,
  });
  const uploads = new UploadService(store, blobs, config.fileLimitBytes);
  // Scale-out: each job names the hardware it runs on (its deployment's, else its model's), so only hosts with it claim it.
  const predictions = new PredictionService(store, shared.jobs, events, { shared: shared.shared, hardwareOf: (record) => jobHardware(store, record) });
  predictions.onQueueTrouble = (message) => log.warn(message);
  const interpreter = await describeInterpreter(config.python);
  const runners = runnerCommands(execPath, interpreter.executable);
  const childEnv = modelEnvironment(env);
  const gpus = await detectGpus();
  const hardware = listHardware(gpus);
  const environments = { python: interpreter.executable, pythonVersion: interpreter.version, env: childEnv, envsDir: paths.envs, hasGpu: hardware.some((h) => h.sku.startsWith("gpu-")) };
  const models = new ModelService(
    store,
    blobs,
    paths.versions,
    (dir) => readModelSchema(dir, runners, childEnv),
    (dir, build, runtime) => prepareEnvironment(dir, build, runtime, environments),
  );
  const tokens = new TokenService(store);
  const deployments = new DeploymentService(store, hardware);

  const adminToken = adminTokenFor(paths.adminToken, config.adminToken);
  await tokens.setToken("admin", adminToken, "admin");

  // Replicas sharing SPROCKET_URL_SIGNING_SECRET accept each other's stream and download URLs.
  const signer = new UrlSigner(config.urlSigningSecret ?? readOrCreateSecret(paths.secret));
  // Webhook bodies are the prediction as GET shows it, with URLs under the public origin (known
  // once the server listens, when SPROCKET_PUBLIC_URL is unset).
  let origin = config.publicUrl?.replace(/\/+$/, "") ?? "";
  const webhooks = new WebhookDispatcher({
    store,
    present: (snapshot) => presentPrediction(snapshot, origin, signer),
    retryWindowMs: config.webhookRetrySeconds * 1000,
    allowPrivate: config.allowPrivateUrls,
    log,
  });
  predictions.useWebhooks(webhooks);
  predictions.useTrainingResults(new TrainingVersions(models, outputs, blobs, store));

  // The server listens first (so the origin is known), but requests wait until recovery and the
  // worker are ready: nothing is served from a half-started process.
  let started!: () => void;
  let notStarted!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => ((started = resolve), (notStarted = reject)));
  let worker: Worker | undefined;
  const metrics = new Metrics(events);
  const hardwareOf = async (id: string) => {
    // A version shared by several models (the same files pushed twice) runs on its first model's hardware.
    const [version] = await store.findVersionsById(id);
    return (version && (await store.getModel(version.owner, version.name))?.hardware) ?? "cpu";
  };
  // `sprocket worker` hosts in other processes claim and report through the API (api/routes/workers.ts).
  const remoteRuns = new RemoteRuns(store, shared.jobs, events, predictions, (output) => outputs.persist(output), (output) => outputs.stored(output), hardwareOf);
  const app = buildApi({
    config,
    store,
    tokens,
    models,
    deployments,
    predictions,
    validator: new InputValidator(),
    signer,
    hardware,
    outputs,
    uploads,
    webhooks,
    metrics,
    blobs,
    remoteRuns,
    // Queue extensions: with no worker here (SPROCKET_WORKER=false) a waiting prediction still has
    // its place, and deployments show no instances.
    queueOf: (id) => {
      if (worker) return worker.queueOf(id);
      const place = queue.place(id);
      return place ? { position: place.position, reason: "no_worker" } : null;
    },
    deploymentPool: config.worker ? (name) => worker?.deploymentPool(name) ?? { instances: [], queue_depth: 0 } : undefined,
    ready,
    log: (message) => log.error(message),
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  if (!origin) origin = `http://${host}:${port}`;

  let stopTicker = () => {};
  const stops: (() => void | Promise<void>)[] = [];
  try {
    // Recovery runs before the worker starts and before the API handles anything. In scale-out,
    // other processes' predictions are not this start's to end: the lost-worker sweep, which every
    // replica runs, ends or requeues what a dead process held.
    if (!shared.shared) {
      const recovered = await recoverPredictions(store, predictions);
      if (recovered.requeued || recovered.interrupted) {
        log.info(`recovered predictions: ${recovered.requeued} queued again, ${recovered.interrupted} failed as interrupted`);
      }
    }
    stops.push(startLostWorkerSweep(store, predictions, shared.shared ? shared.jobs : undefined, (message) => log.warn(message)));
    stops.push(followWorkerHardware(store, hardware, (message) => log.info(message)));

    if (config.worker) {
      worker = new Worker({
        queue,
        predictions,
        events,
        config,
        versionDir: (id) => models.versionDir(id),
        runners,
        outputs,
        urlInputs: {
          maxBytes: config.inputFileLimitBytes,
          timeoutMs: 120_000,
          allowPrivate: config.allowPrivateUrls,
          uploadedFile: (account, id) => uploads.local(account, id),
        },
        env: childEnv,
        spareRunner: config.spareRunner,
        gpus: new GpuDevices(gpus),
        hardwareOf,
        log: (message) => log.info(message),
        onInstanceReady: (seconds) => metrics.observeSetup(seconds),
      });
      metrics.pools = worker;
      // Each deployment's pool follows its current release: warm from start, resized, rolled over.
      const running = worker;
      const targetOf = (release: { version: string; hardware: string; minInstances: number; maxInstances: number } | null) =>
        release && { version: release.version, hardware: release.hardware, minInstances: release.minInstances, maxInstances: release.maxInstances };
      deployments.onChange((name, release) => running.configureDeployment(name, targetOf(release)));
      for (const d of await deployments.all()) worker.configureDeployment(`${d.owner}/${d.name}`, targetOf(d.release));
      worker.start();
      if (shared.shared) {
        // This process is one worker host among several: it claims from the shared queue into its
        // own, heartbeats, and follows deployment changes made through other replicas.
        const workerId = newWorkerId();
        const feeder = new JobFeeder(new SharedQueueSource(shared.jobs, predictions, workerId, hardware.map((h) => h.sku)), queue, (message) => log.warn(message));
        feeder.start();
        const heartbeat = startHeartbeat(
          { id: workerId, name: workerId, hardware: hardware.map((h) => h.sku) },
          () => ({ instances: running.stats(), running: running.heldIds() }),
          (record) => store.heartbeatWorker(record),
          WORKER_HEARTBEAT_MS,
          (message) => log.warn(message),
        );
        await heartbeat.beat();
        stops.push(followDeployments(deployments, (name, release) => running.configureDeployment(name, targetOf(release)), (message) => log.warn(message)));
        stops.push(async () => {
          heartbeat.stop();
          await feeder.stop();
          // Claimed but not started: back to the shared queue for another host.
          for (const pool of queue.pendingPools()) {
            for (let job = queue.take(pool); job; job = queue.take(pool)) {
              await store.unassignPrediction(job.predictionId);
              await predictions.letGo(job.predictionId);
              await shared.jobs.add(job);
            }
          }
        });
        stops.push(() => store.removeWorker(workerId));
      }
    }
    stopTicker = startTicker(predictions, models, webhooks, (now) => removeExpiredData(store, outputs, now, config.idempotencyHours), (message) => log.error(message));

    await registerExamples(models, config.registerExamples, log);
  } catch (error) {
    // A start that fails after listening must not leave the port held, nor requests waiting.
    notStarted(new AppError("unavailable", "Sprocket failed to start."));
    stopTicker();
    for (const stop of stops) await stop();
    await worker?.stop();
    await app.close();
    await shared.close();
    await store.close();
    throw error;
  }
  started();

  return {
    url: `http://${host}:${port}`,
    port,
    adminToken,
    app,
    async close() {
      stopTicker();
      worker?.pause();
      for (const stop of stops.splice(0)) await Promise.resolve(stop()).catch((error: Error) => log.warn(`stopping: ${error.message}`));
      // Open `Prefer: wait` requests answer now with the prediction's current state; then the
      // server stops accepting. Keep-alive connections would hold close() open for their idle
      // timeout (over a minute), so whatever is still open after a second is cut.
      predictions.releaseWaiters();
      const force = setTimeout(() => app.server.closeAllConnections(), 1000);
      await app.close();
      clearTimeout(force);
      await worker?.stop();
      // Output files still uploading to a shared blob store (S3) finish before the process ends.
      await outputs.flush();
      await webhooks.close();
      await predictions.flushLogs();
      await models.flushRunCounts();
      await shared.close();
      await store.close();
    },
  };
}

/**
 * The bundled examples (examples/NAME/cog.yaml) as public models admin/NAME. Versions are
 * content-addressed, so an unchanged example costs a hash of its few files at start, not a push;
 * one that cannot be registered here (say, numpy missing for a Python one) is a warning, not a
 * failed start.
 */
async function registerExamples(models: ModelService, which: boolean | string[], log: { info(m: string): void; warn(m: string): void }): Promise<void> {
  if (which === false || !existsSync(EXAMPLES_DIR)) return;
  const started = performance.now();
  let names = readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${EXAMPLES_DIR}${entry.name}/cog.yaml`))
    .map((entry) => entry.name)
    .sort();
  const unknown = which === true ? [] : which.filter((name) => !names.includes(name));
  if (unknown.length > 0) log.warn(`SPROCKET_EXAMPLES names ${unknown.join(", ")}, not in examples/ (there: ${names.join(", ")})`);
  names = names.filter((name) => which === true || which.includes(name));
  // One at a time: on a first start each new version reads its schema in a model process of its
  // own (the set takes 2–3 s on 2 busy cores; overlapping them measured no faster there). An
  // unchanged example is a hash of its files and a lookup (the set: 20–40 ms).
  let created = 0;
  for (const name of names) {
    try {
      const result = await registerDirectory(models, `${EXAMPLES_DIR}${name}`, "admin", name, "public");
      if (result.created) created++;
      log.info(`registered examples/${name} as admin/${name}:${result.version.id}`);
    } catch (error) {
      log.warn(`examples/${name} was not registered: ${(error as Error).message}`);
    }
  }
  log.info(`examples: ${names.length} registered in ${Math.round(performance.now() - started)} ms (${created} new version${created === 1 ? "" : "s"})`);
}

/** The hardware a prediction runs on: its deployment's current release's, else its model's (CPU when unknown). */
async function jobHardware(store: Store, record: PredictionRecord): Promise<string> {
  if (record.deployment && record.kind !== "training") {
    const [owner, name] = record.deployment.split("/");
    const deployment = await store.getDeployment(owner, name);
    if (deployment) return deployment.release.hardware;
  }
  const [owner, name] = record.model.split("/");
  return (await store.getModel(owner, name))?.hardware ?? "cpu";
}
