import { readFileSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { ModelHost } from "../cog-server/model-host.ts";
import { Predictions } from "../cog-server/predictions.ts";
import { buildCogServer } from "../cog-server/server.ts";
import type { Config } from "../config/index.ts";
import { AppError } from "../errors/index.ts";
import { InputValidator } from "../predictions/input-validator.ts";
import { Instance } from "../worker/instance.ts";
import { runnerCommands, runnerForDir } from "../worker/runner-command.ts";
import { readModelSchema } from "../worker/schema-reader.ts";
import { modelEnvironment } from "./child-env.ts";

export interface ServeModelOptions {
  dir: string;
  config: Config;
  /** `--upload-url`: where file outputs are PUT (Cog's flag); null keeps them as data: URLs. */
  uploadUrl: string | null;
  /** Cog's WEBHOOK_AUTH_TOKEN, sent as a bearer token with every webhook. */
  webhookAuthToken?: string;
  /** The process environment, from which the model's process gets its own. */
  env: Record<string, string | undefined>;
  execPath: string;
  /** Model output outside predictions, and server messages (stderr, from the CLI). */
  write(text: string): void;
}

export interface RunningModelServer {
  url: string;
  port: number;
  app: FastifyInstance;
  /** Resolves when a client asked for POST /shutdown. */
  shutdownRequested: Promise<void>;
  /** Stops accepting, stops the model's process. Idempotent. */
  close(): Promise<void>;
}

/** The version of Cog whose server this one reproduces (docs/cog.md Part 2). */
const COG_PROTOCOL_VERSION = "0.16.12";
/** Cog's COG_THROTTLE_RESPONSE_INTERVAL default. */
const WEBHOOK_THROTTLE_MS = 500;

/**
 * `sprocket serve-model DIR`: Cog's in-container HTTP API for one model directory. It listens at
 * once (health STARTING) and reads the schema and runs setup() in the background.
 */
export async function serveModel(options: ServeModelOptions): Promise<RunningModelServer> {
  const { config } = options;
  const dir = path.resolve(options.dir);
  const runners = runnerCommands(options.execPath, config.python);
  const runner = runnerForDir(dir, runners); // a missing or bad cog.yaml fails here, before listening
  const env = modelEnvironment(options.env);
  const log = (message: string) => options.write(`serve-model: ${message}\n`);
  const version = `${COG_PROTOCOL_VERSION}+sprocket.${packageVersion()}`;
  const userAgent = `cog-worker/${version}`;
  if (options.uploadUrl !== null && !/^https?:\/\//.test(options.uploadUrl)) {
    throw new AppError("bad_request", `--upload-url must be an http(s) URL, got "${options.uploadUrl}"`);
  }

  const host = new ModelHost({
    readSchema: () => readModelSchema(dir, runners, env, config.setupTimeoutSeconds * 1000),
    startInstance: (hooks) =>
      new Instance({ dir, runner, env, setupTimeoutMs: config.setupTimeoutSeconds * 1000, onInstanceLog: hooks.onLog, onExit: hooks.onExit }),
    modelOutput: options.write,
    log,
  });
  const predictions = new Predictions({
    host,
    validator: new InputValidator(),
    cancelGraceMs: config.cancelGraceMs,
    uploadUrl: options.uploadUrl,
    userAgent,
    webhooks: { throttleMs: WEBHOOK_THROTTLE_MS, authToken: options.webhookAuthToken, log },
  });
  let requestShutdown!: () => void;
  const shutdownRequested = new Promise<void>((resolve) => (requestShutdown = resolve));
  const app = buildCogServer({ host, predictions, cogVersion: version, bodyLimitBytes: config.bodyLimitBytes, onShutdown: () => requestShutdown(), log });

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  void host.start();

  let closing: Promise<void> | undefined;
  return {
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    port,
    app,
    shutdownRequested,
    close() {
      closing ??= (async () => {
        // Open sync requests would hold close() open until their predictions end: cut them.
        const force = setTimeout(() => app.server.closeAllConnections(), 1000);
        await Promise.all([app.close(), host.shutdown()]);
        clearTimeout(force);
      })();
      return closing;
    },
  };
}

function packageVersion(): string {
  const file = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}
