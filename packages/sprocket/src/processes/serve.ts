import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { TokenService } from "../accounts/token-service.ts";
import { buildApi } from "../api/server.ts";
import { UrlSigner } from "../api/urls.ts";
import type { Config } from "../config/index.ts";
import { LocalEventBus } from "../events/local-event-bus.ts";
import { BlobStore } from "../files/blob-store.ts";
import { OutputFiles } from "../files/output-files.ts";
import { ModelService } from "../models/model-service.ts";
import { InputValidator } from "../predictions/input-validator.ts";
import { PredictionService } from "../predictions/prediction-service.ts";
import { LocalQueue } from "../queue/local-queue.ts";
import { recoverPredictions } from "../scheduler/recovery.ts";
import { startTicker } from "../scheduler/ticker.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { runnerCommands } from "../worker/runner-command.ts";
import { describeInterpreter, prepareEnvironment } from "../worker/python-environment.ts";
import { readModelSchema } from "../worker/schema-reader.ts";
import { Worker } from "../worker/worker.ts";
import { modelEnvironment } from "./child-env.ts";
import { adminTokenFor, dataPaths, ensureDataDir, readOrCreateSecret } from "./data-dir.ts";
import { detectHardware } from "./hardware.ts";
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

/** `sprocket serve`: API, scheduler and a local worker in one process, on SQLite. */
export async function serve({ config, env, execPath }: ServeOptions): Promise<RunningServer> {
  const log = makeLogger(config.logLevel);
  const paths = dataPaths(config.dataDir);
  ensureDataDir(paths.root);

  const store = new SqliteStore(paths.database, { backgroundCheckpoints: true, onError: (message) => log.warn(message) });
  const queue = new LocalQueue();
  const events = new LocalEventBus();
  const blobs = new BlobStore(paths.blobs);
  const outputs = new OutputFiles(blobs, paths.outputs);
  const predictions = new PredictionService(store, queue, events);
  const interpreter = await describeInterpreter(config.python);
  const runners = runnerCommands(execPath, interpreter.executable);
  const childEnv = modelEnvironment(env);
  const hardware = await detectHardware();
  const environments = { python: interpreter.executable, pythonVersion: interpreter.version, env: childEnv, envsDir: paths.envs, hasGpu: hardware.some((h) => h.sku.startsWith("gpu-")) };
  const models = new ModelService(
    store,
    blobs,
    paths.versions,
    (dir) => readModelSchema(dir, runners, childEnv),
    (dir, build, runtime) => prepareEnvironment(dir, build, runtime, environments),
  );
  const tokens = new TokenService(store);

  const adminToken = adminTokenFor(paths.adminToken, config.adminToken);
  await tokens.setToken("admin", adminToken, "admin");

  // Recovery runs before the worker starts and before the API accepts anything.
  const recovered = await recoverPredictions(store, predictions);
  if (recovered.requeued || recovered.interrupted) {
    log.info(`recovered predictions: ${recovered.requeued} queued again, ${recovered.interrupted} failed as interrupted`);
  }

  let worker: Worker | undefined;
  if (config.worker) {
    worker = new Worker({
      queue,
      predictions,
      events,
      config,
      versionDir: (id) => models.versionDir(id),
      runners,
      outputs,
      urlInputs: { maxBytes: config.inputFileLimitBytes, timeoutMs: 120_000, allowPrivate: config.allowPrivateUrls },
      env: childEnv,
      log: (message) => log.info(message),
    });
    worker.start();
  }
  const stopTicker = startTicker(predictions, models, (message) => log.error(message));

  if (config.registerExamples && existsSync(`${EXAMPLES_DIR}hello/cog.yaml`)) {
    const version = await registerDirectory(models, `${EXAMPLES_DIR}hello`, "admin", "hello", "public");
    log.info(`registered examples/hello as admin/hello:${version.id}`);
  }

  const app = buildApi({
    config,
    store,
    tokens,
    models,
    predictions,
    validator: new InputValidator(),
    signer: new UrlSigner(readOrCreateSecret(paths.secret)),
    hardware,
    outputs,
    log: (message) => log.error(message),
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;

  return {
    url: `http://${host}:${port}`,
    port,
    adminToken,
    app,
    async close() {
      stopTicker();
      worker?.pause();
      // Open `Prefer: wait` requests answer now with the prediction's current state; then the
      // server stops accepting. Keep-alive connections would hold close() open for their idle
      // timeout (over a minute), so whatever is still open after a second is cut.
      predictions.releaseWaiters();
      const force = setTimeout(() => app.server.closeAllConnections(), 1000);
      await app.close();
      clearTimeout(force);
      await worker?.stop();
      await predictions.flushLogs();
      await models.flushRunCounts();
      await store.close();
    },
  };
}
