import { watch, type FSWatcher } from "node:fs";
import path from "node:path";
import { isAppError } from "../errors/index.ts";
import { BUNDLE_IGNORE_FILES, ignoreMatcher } from "../models/bundle.ts";
import type { Deployment } from "../protocol/api-types.ts";
import { ApiClient } from "./api-client.ts";
import { removeDevSession, writeDevSession } from "./dev-session.ts";
import { push } from "./push.ts";

/**
 * Quiet time after the last file event before a rebuild: an editor's save is several events
 * (write, rename, chmod) within a few ms, and a `git checkout` is hundreds; one build covers them.
 */
export const DEBOUNCE_MS = 200;
/** How often the deployment is read while its new instance starts: short, as it bounds edit-to-answer time. */
const READY_POLL_MS = 25;
/** A version whose instance is not ready by then is reported and left; the next edit tries again. */
const READY_TIMEOUT_MS = 120_000;

export interface DevOptions {
  dir: string;
  /** The model pushed to, and the deployment (same owner and name) that keeps its latest version warm. */
  owner: string;
  name: string;
  api: ApiClient;
  cacheDir: string | null;
  hardware: string;
  /** A version is pushed and its instance is warm. */
  ready(version: string, deployment: string): void;
  /** Anything worth a line that is not an error (model created, deployment created). */
  note(message: string): void;
  /** One cycle failed (invalid cog.yaml, a predictor that does not load…); watching goes on. */
  failed(error: unknown): void;
}

export interface DevSession {
  /** Resolves after the first cycle (pushed and ready, or failed). */
  first: Promise<void>;
  /** Stops watching and abandons a cycle in progress. */
  stop(): Promise<void>;
}

/**
 * `sprocket dev`'s loop: push the directory, point the deployment at the new version (created with
 * min_instances 1 the first time, so an instance is always warm), wait until an instance of that
 * version is ready, then watch; every change repeats it. Cycles never overlap: a change during one
 * marks the directory dirty and the next cycle starts when it ends. The hash cache makes a push
 * after a code edit read only the edited files, so big weight files cost nothing per cycle.
 */
export function startDev(options: DevOptions): DevSession {
  const root = path.resolve(options.dir);
  const deployment = `${options.owner}/${options.name}`;
  let ignored = ignoreMatcher(root);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let dirty = false;
  let stopped = false;
  // Bumped on every change, so a cycle still waiting for an older version's instance gives up.
  let generation = 0;

  const cycle = async (): Promise<void> => {
    const mine = generation;
    try {
      const result = await push({ dir: root, owner: options.owner, name: options.name, api: options.api, cacheDir: options.cacheDir, progress: options.note });
      const version = result.version.id;
      await deploy(version);
      if (await waitReady(version, () => stopped || generation !== mine)) {
        // `sprocket predict DIR` runs on this warm instance while the directory still builds to it.
        writeDevSession(options.cacheDir, { dir: root, server: options.api.base, deployment, version, pid: process.pid });
        options.ready(version, deployment);
      }
    } catch (error) {
      if (!stopped) options.failed(error);
    }
  };

  const deploy = async (version: string): Promise<void> => {
    const release = { model: `${options.owner}/${options.name}`, version };
    const existing = await options.api.request("GET", `/v1/deployments/${deployment}`);
    if (existing.status === 404) {
      await existing.arrayBuffer();
      await options.api.json("POST", "/v1/deployments", { name: options.name, ...release, hardware: options.hardware, min_instances: 1, max_instances: 1 });
      options.note(`created deployment ${deployment} (min_instances 1)`);
      return;
    }
    const current = (await ApiClient.parse(existing)) as Deployment;
    const config = current.current_release.configuration;
    // A PATCH with a new version rolls the instances over without failing a running prediction.
    const patch: Record<string, unknown> = { ...release };
    if (config.min_instances < 1) patch.min_instances = 1;
    if (config.max_instances < 1) patch.max_instances = 1;
    if (current.current_release.version === version && current.current_release.model === release.model && !("min_instances" in patch)) return;
    await options.api.json("PATCH", `/v1/deployments/${deployment}`, patch);
  };

  /** True once an instance of `version` is ready (or the server shows no pool to wait on). */
  const waitReady = async (version: string, abandoned: () => boolean): Promise<boolean> => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!abandoned()) {
      const current = await options.api.json<Deployment>("GET", `/v1/deployments/${deployment}`);
      // A server whose API runs without a worker shows no pool: nothing here can tell warm from cold.
      if (!current.sprocket_pool) return true;
      if (current.sprocket_pool.instances.some((i) => i.version === version && (i.state === "ready" || i.state === "busy"))) return true;
      if (Date.now() > deadline) {
        options.failed(new Error(`version ${version} pushed, but no instance of it was ready after ${READY_TIMEOUT_MS / 1000} s: check the server's log for its setup()`));
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    return false;
  };

  const run = (): void => {
    if (stopped) return;
    if (running) {
      dirty = true;
      return;
    }
    running = cycle().finally(() => {
      running = null;
      if (dirty && !stopped) {
        dirty = false;
        run();
      }
    });
  };

  const first = new Promise<void>((resolve) => {
    run();
    void running!.then(resolve);
  });

  const watcher: FSWatcher = watch(root, { recursive: true }, (_event, filename) => {
    if (stopped || !filename) return;
    const relative = filename.toString().split(path.sep).join("/");
    if (BUNDLE_IGNORE_FILES.includes(relative)) ignored = ignoreMatcher(root);
    // Ignored files (and files in ignored directories) never trigger a build: a model writing
    // to ./tmp or a Python run filling __pycache__ would otherwise rebuild forever.
    const parts = relative.split("/");
    if (parts.some((_, i) => ignored(parts.slice(0, i + 1).join("/")))) return;
    generation++;
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  });

  return {
    first,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      watcher.close();
      await running;
      removeDevSession(options.cacheDir, root);
    },
  };
}

/** The one line printed for a failed cycle: the error's message, without a stack unless asked. */
export function describeFailure(error: unknown, debug: boolean): string {
  const message = isAppError(error) ? error.message : ((error as Error)?.message ?? String(error));
  return debug && (error as Error)?.stack ? `${message}\n${(error as Error).stack}` : message;
}
