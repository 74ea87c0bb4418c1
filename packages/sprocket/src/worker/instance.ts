import { spawn, type ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { encodeMessage, lineDecoder, type RunnerToWorker, type StagedFiles, type WorkerToRunner } from "../protocol/runner-messages.ts";
import type { RunnerCommand } from "./runner-command.ts";

export interface RunCallbacks {
  onLog(data: string): void;
  /** `files`: the file outputs this item staged (see StagedFiles). */
  onOutput(item: unknown, files?: StagedFiles): void;
  onMetric(name: string, value: number): void;
}

export type RunResult =
  | { status: "succeeded"; output: unknown; files?: StagedFiles }
  | { status: "failed"; error: string }
  | { status: "canceled" };

interface Active {
  callbacks: RunCallbacks;
  resolve(result: RunResult): void;
  /** Why we killed the process, if we did: decides how this prediction ends. */
  endAs?: RunResult;
}

export interface InstanceOptions {
  dir: string;
  runner: RunnerCommand;
  env: Record<string, string>;
  setupTimeoutMs: number;
  /**
   * A runner already started without a model (SpareRunner): adopted instead of spawning, and told
   * the model's directory with `setup`. Its environment is `env` already, less nothing: only CPU
   * instances (no device variables) take one.
   */
  spare?: ChildProcess | null;
  /** Output printed while no prediction runs (setup, background threads). */
  onInstanceLog(data: string): void;
  onExit(instance: Instance): void;
}

const SETUP_LOG_TAIL = 4000;

/** One warm child process running one model. */
export class Instance {
  state: "starting" | "ready" | "stopping" | "dead" = "starting";
  concurrency = 1;
  readonly active = new Map<string, Active>();
  /** Slots promised to predictions that are still being prepared (see reserve()). */
  private reservations = 0;
  lastUsed = Date.now();
  /** When the process was spawned, and when its setup() finished (the cold-start timeline). */
  readonly spawnedAt = Date.now();
  readyAt?: number;
  /** Seconds of readyAt - spawnedAt that the runner spent loading the predictor and in setup(). */
  private setupSeconds?: number;
  /** The instance was started for waiting work, whose first prediction has not run yet. */
  private coldForWork = false;
  private readonly child: ChildProcess;
  private readonly commands: Writable;
  private setupLogs = "";
  private setupWaiter?: { resolve(): void; reject(error: Error): void };

  constructor(private readonly options: InstanceOptions) {
    this.child =
      options.spare ??
      spawn(options.runner.command, [...options.runner.args, options.dir], {
        cwd: options.dir,
        env: options.env,
        stdio: ["pipe", "pipe", "pipe", "pipe"],
      });
    this.commands = this.child.stdin!;
    // A write to a child that just died raises EPIPE here; the exit handler reports the death.
    this.commands.on("error", () => {});
    const replies = this.child.stdio[3] as Readable;
    replies.setEncoding("utf8");
    replies.on("data", lineDecoder<RunnerToWorker>((message) => this.onMessage(message), (line) => this.log(`[protocol] ${line}\n`)));
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.setEncoding("utf8");
      stream.on("data", (data: string) => this.log(data));
    }
    this.child.on("exit", (code, signal) => this.onChildExit(code, signal));
    this.child.on("error", (error) => this.onChildExit(null, null, error));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Runs setup(); resolves when the instance is ready, rejects with the setup error. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`setup() did not finish within ${this.options.setupTimeoutMs / 1000} s`));
        this.kill();
      }, this.options.setupTimeoutMs);
      timer.unref();
      const clear = () => clearTimeout(timer);
      this.setupWaiter = {
        resolve: () => (clear(), resolve()),
        reject: (error) => (clear(), reject(error)),
      };
      this.send(this.options.spare ? { type: "setup", dir: this.options.dir } : { type: "setup" });
    });
  }

  /** Marks the instance as started for waiting work: its first prediction waited for the cold start. */
  startedForWork(): void {
    this.coldForWork = true;
  }

  /**
   * The cold start, once, for the first prediction on an instance started for waiting work: seconds
   * from spawn until the runtime was ready to load the model, and loading plus setup(). Null for
   * later predictions and for instances kept warm before any work came.
   */
  takeColdStart(): { spawn: number; setup: number } | null {
    if (!this.coldForWork || this.readyAt === undefined) return null;
    this.coldForWork = false;
    const total = (this.readyAt - this.spawnedAt) / 1000;
    // A runner that does not report its setup time: all of it counts as setup.
    const setup = Math.min(total, this.setupSeconds ?? total);
    return { spawn: total - setup, setup };
  }

  /** Predictions running or promised to this instance: never more than `concurrency`. */
  get load(): number {
    return this.active.size + this.reservations;
  }

  /**
   * Holds a slot for a prediction that will be handed over after an await (its inputs are being
   * fetched), so the dispatcher does not give the same slot to another. Call the returned function
   * once, right before run() or when the prediction will not run.
   */
  reserve(): () => void {
    this.reservations++;
    let released = false;
    return () => {
      if (!released) this.reservations--;
      released = true;
    };
  }

  run(id: string, input: Record<string, unknown>, callbacks: RunCallbacks): Promise<RunResult> {
    this.lastUsed = Date.now();
    if (this.state === "dead") {
      return Promise.resolve({ status: "failed", error: "The model's process exited before this prediction could start." });
    }
    return new Promise((resolve) => {
      this.active.set(id, { callbacks, resolve });
      this.send({ type: "predict", id, input });
    });
  }

  /** Asks the predictor to stop; kills the instance if it has not stopped after `graceMs`. */
  cancel(id: string, graceMs: number): void {
    const active = this.active.get(id);
    if (!active) return;
    this.send({ type: "cancel", id });
    const timer = setTimeout(() => {
      if (this.active.get(id) === active) this.killFor(id, { status: "canceled" });
    }, graceMs);
    timer.unref();
  }

  /** Kills the process, ending prediction `id` with `result` (others fail as crashed). */
  killFor(id: string, result: RunResult): void {
    const active = this.active.get(id);
    // Only a prediction running here is a reason to kill this process.
    if (!active) return;
    active.endAs = result;
    this.kill();
  }

  kill(): void {
    if (this.state !== "dead") this.child.kill("SIGKILL");
  }

  /** Asks the runner to exit; kills it if it has not after a second. */
  shutdown(): Promise<void> {
    if (this.state === "dead") return Promise.resolve();
    // No new work is handed to a stopping instance.
    if (this.state === "ready") this.state = "stopping";
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.send({ type: "shutdown" });
      setTimeout(() => this.kill(), 1000).unref();
    });
  }

  private send(message: WorkerToRunner): void {
    if (this.state !== "dead") this.commands.write(encodeMessage(message));
  }

  private onMessage(message: RunnerToWorker): void {
    switch (message.type) {
      case "ready":
        this.state = "ready";
        this.readyAt = Date.now();
        this.setupSeconds = message.setup_time;
        this.concurrency = Math.max(1, message.concurrency);
        this.setupWaiter?.resolve();
        break;
      case "setup_failed":
        this.fail(new Error(message.error));
        this.kill();
        break;
      case "log":
        if (message.id !== undefined && this.active.has(message.id)) this.active.get(message.id)!.callbacks.onLog(message.data);
        else this.log(message.data);
        break;
      case "output":
        this.active.get(message.id)?.callbacks.onOutput(message.item, message.files);
        break;
      case "metric":
        this.active.get(message.id)?.callbacks.onMetric(message.name, message.value);
        break;
      case "done": {
        const active = this.active.get(message.id);
        if (!active) break;
        this.active.delete(message.id);
        this.lastUsed = Date.now();
        if (message.status === "succeeded") active.resolve({ status: "succeeded", output: message.output, files: message.files });
        else if (message.status === "failed") active.resolve({ status: "failed", error: message.error });
        else active.resolve({ status: "canceled" });
        break;
      }
      case "schema":
        break;
    }
  }

  /** Output not tied to a prediction goes to the single running one, else to the instance log. */
  private log(data: string): void {
    if (this.state === "starting") this.setupLogs = (this.setupLogs + data).slice(-SETUP_LOG_TAIL);
    if (this.active.size === 1) this.active.values().next().value!.callbacks.onLog(data);
    else this.options.onInstanceLog(data);
  }

  private fail(error: Error): void {
    const logs = this.setupLogs.trim();
    this.setupWaiter?.reject(logs ? new Error(`${error.message}\n${logs}`) : error);
    this.setupWaiter = undefined;
  }

  private onChildExit(code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void {
    if (this.state === "dead") return;
    const wasStarting = this.state === "starting";
    this.state = "dead";
    const how = spawnError ? spawnError.message : signal ? `killed by ${signal}` : `exit code ${code}`;
    if (wasStarting) this.fail(new Error(`the model's process exited during setup (${how})`));
    for (const active of this.active.values()) {
      active.resolve(active.endAs ?? { status: "failed", error: `The model's process exited unexpectedly (${how}) while running this prediction.` });
    }
    this.active.clear();
    this.options.onExit(this);
  }
}
