// The one model process behind a Cog server, and the health Cog reports for it (docs/cog.md §2.1):
// STARTING until the schema is read and setup() finished, then READY (BUSY is decided by the
// predictions in flight), SETUP_FAILED if either failed, DEFUNCT if the process died on its own.
// Unlike Cog there is one respawn case: when a cancel's grace period ran out and the instance was
// killed for it, a fresh one is set up (STARTING again) instead of leaving the server dead.
import type { Instance } from "../worker/instance.ts";
import type { ModelSchema } from "../worker/schema-reader.ts";
import { cogTimestamp } from "./cog-time.ts";

export type Health = "STARTING" | "READY" | "BUSY" | "SETUP_FAILED" | "DEFUNCT";

/** Cog's `SetupResult.to_dict()`; reported as `{}` until setup has finished. */
export interface SetupRecord {
  started_at: string;
  completed_at: string;
  logs: string;
  status: "succeeded" | "failed";
}

export interface ModelHostOptions {
  /** The model's OpenAPI document (read in a throwaway process, as `sprocket push` does). */
  readSchema(): Promise<ModelSchema>;
  /** Spawns the model's process; setup is started by the host. */
  startInstance(hooks: { onLog(data: string): void; onExit(): void }): Instance;
  /** What the model prints outside any prediction (setup, background threads). */
  modelOutput(data: string): void;
  log(message: string): void;
}

type State = "starting" | "ready" | "setup_failed" | "defunct" | "stopping";

export class ModelHost {
  state: State = "starting";
  schema: Record<string, unknown> | null = null;
  instance: Instance | null = null;
  setup: SetupRecord | null = null;
  private setupLogs = "";
  /** Predictions asked to cancel and not yet ended: a death meanwhile is the grace-period kill. */
  private readonly canceling = new Set<string>();

  constructor(private readonly options: ModelHostOptions) {}

  /** Reads the schema and sets the model up, side by side; resolves once health left STARTING. */
  async start(): Promise<void> {
    const startedAt = cogTimestamp(Date.now());
    const schema = this.options.readSchema().then(
      (result) => void (this.schema = result.openapiSchema),
      (error: Error) => {
        throw new Error(`Error while loading predictor:\n\n${error.message}`);
      },
    );
    const setup = this.bootInstance();
    // The first failure decides (and kills the instance); the other outcome is then moot.
    schema.catch(() => {});
    setup.catch(() => {});
    try {
      await Promise.all([schema, setup]);
      if (this.state === "starting") this.succeedSetup(startedAt);
    } catch (error) {
      if (this.state === "starting") this.failSetup(startedAt, (error as Error).message);
    }
  }

  get capacity(): number {
    return this.instance?.concurrency ?? 1;
  }

  cancel(id: string, graceMs: number): void {
    this.canceling.add(id);
    this.instance?.cancel(id, graceMs);
  }

  /** Called when a prediction ended, whichever way. */
  ended(id: string): void {
    this.canceling.delete(id);
  }

  async shutdown(): Promise<void> {
    this.state = "stopping";
    await this.instance?.shutdown();
  }

  private bootInstance(): Promise<void> {
    this.setupLogs = "";
    const instance = this.options.startInstance({
      onLog: (data) => {
        if (this.state === "starting") this.setupLogs += data;
        this.options.modelOutput(data);
      },
      onExit: () => this.onInstanceExit(instance),
    });
    this.instance = instance;
    return instance.start();
  }

  private succeedSetup(startedAt: string): void {
    this.state = "ready";
    this.setup = { started_at: startedAt, completed_at: cogTimestamp(Date.now()), logs: this.setupLogs, status: "succeeded" };
  }

  private failSetup(startedAt: string, message: string): void {
    this.state = "setup_failed";
    this.instance?.kill();
    // The instance's error repeats the tail of the setup logs after its first line; keep one copy.
    const logs = this.setupLogs.trim();
    const error = logs && message.endsWith(logs) ? message.slice(0, -logs.length).trimEnd() : message;
    this.setup = { started_at: startedAt, completed_at: cogTimestamp(Date.now()), logs: `${this.setupLogs}${error}\n`, status: "failed" };
    this.options.log(`setup failed: ${error}`);
  }

  private onInstanceExit(instance: Instance): void {
    if (instance !== this.instance || this.state !== "ready") return;
    if (this.canceling.size > 0) {
      this.options.log("the model did not stop within the cancel grace period and was killed; starting a fresh instance");
      this.state = "starting";
      this.setup = null;
      const startedAt = cogTimestamp(Date.now());
      this.bootInstance().then(
        () => this.state === "starting" && this.succeedSetup(startedAt),
        (error: Error) => this.state === "starting" && this.failSetup(startedAt, error.message),
      );
      return;
    }
    this.state = "defunct";
    this.options.log("the model's process exited unexpectedly; the server is DEFUNCT (restart it)");
  }
}
