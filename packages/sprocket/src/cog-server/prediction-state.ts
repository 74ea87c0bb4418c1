import { cogTimestamp } from "./cog-time.ts";

export type CogStatus = "processing" | "succeeded" | "failed" | "canceled";

/**
 * One prediction as Cog 0.16's `PredictionResponse` has it. Fields are kept in that model's order,
 * because the sync response (and every test written against Cog) sees them in that order.
 */
export class PredictionState {
  output: unknown;
  logs = "";
  error: string | null = null;
  status: CogStatus = "processing";
  completedAt: string | null = null;
  readonly startedAt: string;
  private readonly startedMs = performance.now();
  private userMetrics: Record<string, number> | null = null;
  private predictTime: number | null = null;

  constructor(
    /** The client's id; null when it gave none (Cog then answers `"id": null`). */
    readonly id: string | null,
    /** The validated input as shown: defaults filled in, secrets masked. */
    readonly input: Record<string, unknown>,
    readonly createdAt: string | null,
    /** Iterator outputs start as `[]` (Cog sets the list before the first item), others `null`. */
    streamed: boolean,
  ) {
    this.output = streamed ? [] : null;
    this.startedAt = cogTimestamp(Date.now());
  }

  get terminal(): boolean {
    return this.status !== "processing";
  }

  recordMetric(name: string, value: number): void {
    this.userMetrics = { ...this.userMetrics, [name]: value };
  }

  /** Ends the prediction. `predict_time` is only reported on success, as in Cog. */
  finish(status: Exclude<CogStatus, "processing">, error: string | null = null): void {
    this.status = status;
    this.error = error;
    this.completedAt = cogTimestamp(Date.now());
    if (status === "succeeded") this.predictTime = Math.round((performance.now() - this.startedMs) * 1000) / 1e6; // seconds, to the µs
  }

  get metrics(): Record<string, number> | null {
    if (this.predictTime === null) return this.userMetrics;
    return { ...this.userMetrics, predict_time: this.predictTime };
  }

  /** The HTTP response body (sync 200, async 202, idempotent PUT 202). */
  toResponse(): Record<string, unknown> {
    return {
      input: this.input,
      output: this.output,
      id: this.id,
      version: null,
      created_at: this.createdAt,
      started_at: this.startedAt,
      completed_at: this.completedAt,
      logs: this.logs,
      error: this.error,
      status: this.status,
      metrics: this.metrics,
    };
  }

  /**
   * A webhook body: Cog 0.16 serializes with exclude-unset, so `version` never appears and
   * `completed_at`, `error` and `metrics` only once they have a value.
   */
  toWebhookBody(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      input: this.input,
      output: this.output,
      id: this.id,
      created_at: this.createdAt,
      started_at: this.startedAt,
      logs: this.logs,
      status: this.status,
    };
    if (this.completedAt !== null) body.completed_at = this.completedAt;
    if (this.error !== null) body.error = this.error;
    if (this.metrics !== null) body.metrics = this.metrics;
    return body;
  }
}
