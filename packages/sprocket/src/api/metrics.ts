import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { EventBus } from "../events/event-bus.ts";
import { ALL_PREDICTIONS } from "../predictions/prediction-service.ts";
import { TERMINAL_STATUSES } from "../protocol/api-types.ts";

/** What /metrics needs from the worker (its `stats()`), when this process runs one. */
export interface PoolStatsSource {
  stats(): { pool: string; queued: number; instances: Record<string, number> }[];
}

const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800];

/**
 * Prometheus metrics (prom-client): predictions finished by status, predict and setup time
 * histograms, and, read at scrape time, queue depth and instances by state per pool. Counting
 * follows the prediction events, so nothing is added to the prediction path itself.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly finished = new Counter({ name: "sprocket_predictions_total", help: "Predictions that finished, by final status.", labelNames: ["status"], registers: [this.registry] });
  private readonly predictTime = new Histogram({
    name: "sprocket_predict_seconds",
    help: "Time predictions spent running (started → finished).",
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  private readonly setupTime = new Histogram({
    name: "sprocket_instance_setup_seconds",
    help: "Time from spawning an instance to its setup() finishing.",
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  /** Set by the composition root once the worker exists. */
  pools: PoolStatsSource | null = null;

  constructor(events: EventBus) {
    for (const status of TERMINAL_STATUSES) this.finished.inc({ status }, 0);
    events.subscribe(ALL_PREDICTIONS, (event) => {
      if (event.type !== "status" || !TERMINAL_STATUSES.has(event.prediction.status)) return;
      this.finished.inc({ status: event.prediction.status });
      const seconds = event.prediction.metrics?.predict_time;
      if (typeof seconds === "number") this.predictTime.observe(seconds);
    });
    const metrics = this;
    new Gauge({
      name: "sprocket_queue_depth",
      help: "Predictions waiting for an instance, per pool (a version, or a deployment's version).",
      labelNames: ["pool"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const pool of metrics.pools?.stats() ?? []) this.set({ pool: pool.pool }, pool.queued);
      },
    });
    new Gauge({
      name: "sprocket_instances",
      help: "Model instances per pool, by state (starting, ready, busy, stopping).",
      labelNames: ["pool", "state"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const pool of metrics.pools?.stats() ?? []) {
          for (const [state, count] of Object.entries(pool.instances)) this.set({ pool: pool.pool, state }, count);
        }
      },
    });
  }

  observeSetup(seconds: number): void {
    this.setupTime.observe(seconds);
  }
}
