import type { PredictionSnapshot } from "../events/event-bus.ts";
import { TERMINAL_STATUSES } from "../protocol/api-types.ts";
import type { PredictionWebhooks } from "../predictions/prediction-service.ts";
import { toSnapshot } from "../predictions/wire.ts";
import type { PredictionRecord, Store, WebhookAttemptRecord, WebhookDeliveryRecord, WebhookEventType } from "../store/store.ts";
import { isRetryableStatus, nextAttemptAt, parseRetryAfter } from "./retry-schedule.ts";
import { postWebhook } from "./send.ts";
import { newMessageId, newWebhookSecret, signedHeaders } from "./signing.ts";

export interface WebhookDispatcherOptions {
  store: Store;
  /** The prediction as GET shows it (URLs included): the body of every message. */
  present(snapshot: PredictionSnapshot): unknown;
  /** How long a message is retried after it was created. */
  retryWindowMs: number;
  allowPrivate: boolean;
  log: { warn(message: string): void };
  /** `output` and `logs` messages per prediction at most once per this (Replicate: 500 ms). */
  throttleMs?: number;
  timeoutMs?: number;
  /** Sends out at once; more wait for the retry scan. A slow receiver holds only these. */
  maxInFlight?: number;
}

const ALL_EVENTS: readonly WebhookEventType[] = ["start", "output", "logs", "completed"];
const PROGRESS_EVENTS = ["output", "logs"] as const;
/** Due messages read per scan. */
const SCAN_LIMIT = 200;

interface Progress {
  record: PredictionRecord;
  /** What the next throttled message reports (output wins over logs: it carries both). */
  event?: "output" | "logs";
  lastSentAt: number;
  timer?: NodeJS.Timeout;
}

/** How long one process owns an attempt before another may make it (longer than an attempt's timeout). */
const ATTEMPT_LEASE_MS = 30_000;

/**
 * Webhook delivery: turns prediction changes into signed messages in the store's outbox, sends each
 * at once, and retries failures from the outbox (`deliverDue`, on the scheduler's tick) until the
 * retry window ends. Nothing here is awaited by a prediction: a slow or dead receiver costs only
 * its own sends.
 */
export class WebhookDispatcher implements PredictionWebhooks {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly progress = new Map<string, Progress>();
  private readonly secrets = new Map<string, Promise<string>>();
  /** Terminal messages whose commit must drop the prediction's older pending progress messages. */
  private readonly supersedes = new WeakSet<WebhookDeliveryRecord>();
  private readonly stopping = new AbortController();
  private readonly throttleMs: number;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;

  constructor(private readonly o: WebhookDispatcherOptions) {
    this.throttleMs = o.throttleMs ?? 500;
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.maxInFlight = o.maxInFlight ?? 64;
  }

  onStatus(record: PredictionRecord): WebhookDeliveryRecord[] {
    const terminal = TERMINAL_STATUSES.has(record.status);
    const hadProgress = this.progress.has(record.id);
    if (terminal) this.forgetProgress(record.id);
    const event: WebhookEventType | null = terminal ? "completed" : record.status === "processing" ? "start" : null;
    if (!event || !wants(record, event)) return [];
    const delivery = this.message(record, event);
    // Only a prediction that sent progress messages can have some still pending.
    if (terminal && hadProgress) this.supersedes.add(delivery);
    return [delivery];
  }

  committed(deliveries: WebhookDeliveryRecord[]): void {
    for (const delivery of deliveries) {
      if (this.supersedes.delete(delivery)) this.supersedeOlder(delivery);
      this.send(delivery);
    }
  }

  onProgress(record: PredictionRecord, event: "output" | "logs"): void {
    if (!wants(record, event)) return;
    let state = this.progress.get(record.id);
    if (!state) {
      state = { record, lastSentAt: Number.NEGATIVE_INFINITY };
      this.progress.set(record.id, state);
    }
    state.record = record;
    if (state.event !== "output") state.event = event;
    if (state.timer) return; // a message is already due at the end of this interval
    const wait = state.lastSentAt + this.throttleMs - performance.now();
    if (wait <= 0) this.sendProgress(record.id);
    else state.timer = setTimeout(() => this.sendProgress(record.id), wait);
  }

  /** Sends every pending message that is due (retries, and any the in-flight cap held back). */
  async deliverDue(): Promise<void> {
    if (this.stopping.signal.aborted || this.inFlight.size >= this.maxInFlight) return;
    const now = Date.now();
    const due = await this.o.store.dueWebhookDeliveries(new Date(now).toISOString(), SCAN_LIMIT);
    for (const delivery of due) {
      if (this.inFlight.has(delivery.id)) continue;
      // Processes sharing a database (scale-out) all tick: the one whose lease lands sends it.
      if (await this.o.store.leaseWebhookDelivery(delivery.id, delivery.nextAttemptAt!, new Date(now + ATTEMPT_LEASE_MS).toISOString())) this.send(delivery);
    }
  }

  /** The account's signing secret (made on first use). */
  secretFor(account: string): Promise<string> {
    let secret = this.secrets.get(account);
    if (!secret) {
      secret = this.o.store.ensureWebhookSecret(account, newWebhookSecret());
      secret.catch(() => this.secrets.delete(account));
      this.secrets.set(account, secret);
    }
    return secret;
  }

  /**
   * Sends a finished prediction's `completed` message again, under its original `webhook-id`
   * (made now if the filter left it out). Returns null when the prediction has no webhook or has
   * not finished.
   */
  async redeliver(prediction: PredictionRecord): Promise<WebhookDeliveryRecord | null> {
    if (!prediction.webhook || !TERMINAL_STATUSES.has(prediction.status)) return null;
    const completed = async () => (await this.o.store.webhookDeliveries(prediction.id)).filter((d) => d.event === "completed").pop();
    let delivery = await completed();
    if (delivery) {
      // An attempt still out finishes first, so the attempt numbers stay in order.
      await this.inFlight.get(delivery.id);
      const now = Date.now();
      await this.o.store.resetWebhookDelivery(delivery.id, new Date(now).toISOString(), new Date(now + this.o.retryWindowMs).toISOString());
      delivery = (await completed())!;
    } else {
      delivery = this.message(prediction, "completed");
      await this.o.store.insertWebhookDelivery(delivery);
    }
    this.send(delivery);
    return delivery;
  }

  /** Stops sending; messages not yet delivered stay in the outbox for the next start. */
  async close(): Promise<void> {
    this.stopping.abort();
    for (const id of [...this.progress.keys()]) this.forgetProgress(id);
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private message(record: PredictionRecord, event: WebhookEventType): WebhookDeliveryRecord {
    const now = Date.now();
    return {
      id: newMessageId(),
      predictionId: record.id,
      account: record.account,
      url: record.webhook!,
      event,
      // Compact JSON, exactly as signed: a receiver that re-serialises the parsed body gets the same bytes.
      body: JSON.stringify(this.o.present(toSnapshot(record))),
      state: "pending",
      attempts: 0,
      createdAt: new Date(now).toISOString(),
      // The creating process sends it at once; another takes over only if no attempt is recorded by then.
      nextAttemptAt: new Date(now + ATTEMPT_LEASE_MS).toISOString(),
      giveUpAt: new Date(now + this.o.retryWindowMs).toISOString(),
    };
  }

  private sendProgress(id: string): void {
    const state = this.progress.get(id);
    if (!state || !state.event) return;
    state.timer = undefined;
    // Finished meanwhile: the `completed` message carries all of it.
    if (TERMINAL_STATUSES.has(state.record.status) || this.stopping.signal.aborted) return this.forgetProgress(id);
    state.lastSentAt = performance.now();
    const delivery = this.message(state.record, state.event);
    state.event = undefined;
    this.o.store.insertWebhookDelivery(delivery).then(
      () => {
        this.supersedeOlder(delivery);
        this.send(delivery);
      },
      (error: Error) => this.o.log.warn(`webhook ${delivery.event} message for ${id} not stored: ${error.message}`),
    );
  }

  /** Older unsent output/logs messages are dropped: this one carries their content and more. */
  private supersedeOlder(delivery: WebhookDeliveryRecord): void {
    this.o.store
      .supersedeWebhookDeliveries(delivery, PROGRESS_EVENTS)
      .catch((error: Error) => this.o.log.warn(`webhook outbox update failed: ${error.message}`));
  }

  private forgetProgress(id: string): void {
    const state = this.progress.get(id);
    if (state?.timer) clearTimeout(state.timer);
    this.progress.delete(id);
  }

  private send(delivery: WebhookDeliveryRecord): void {
    if (this.stopping.signal.aborted || this.inFlight.has(delivery.id) || this.inFlight.size >= this.maxInFlight) return;
    const attempt = this.attempt(delivery)
      .catch((error: Error) => this.o.log.warn(`webhook ${delivery.id} to ${delivery.url}: ${error.message}`))
      .finally(() => this.inFlight.delete(delivery.id));
    this.inFlight.set(delivery.id, attempt);
  }

  private async attempt(delivery: WebhookDeliveryRecord): Promise<void> {
    const secret = await this.secretFor(delivery.account);
    const at = new Date();
    const headers = signedHeaders(secret, delivery.id, delivery.body, at);
    const result = await postWebhook(delivery.url, headers, delivery.body, {
      timeoutMs: this.timeoutMs,
      allowPrivate: this.o.allowPrivate,
      signal: this.stopping.signal,
    });
    // Cut off by shutdown: not an attempt; the message is sent again after the restart.
    if (this.stopping.signal.aborted && result.statusCode === null) return;
    const attempts = delivery.attempts + 1;
    const now = Date.now();
    const delivered = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const retryable = !delivered && (result.statusCode === null ? !result.error?.startsWith("refused") : isRetryableStatus(result.statusCode));
    const retryAt = retryable ? nextAttemptAt(attempts, now, Date.parse(delivery.giveUpAt), parseRetryAfter(result.retryAfter, now)) : null;
    const state = delivered ? "delivered" : retryAt !== null ? "pending" : "failed";
    const log: WebhookAttemptRecord = {
      deliveryId: delivery.id,
      predictionId: delivery.predictionId,
      attempt: attempts,
      attemptedAt: at.toISOString(),
      url: delivery.url,
      event: delivery.event,
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      error: result.error,
    };
    await this.o.store.recordWebhookAttempt(log, { state, attempts, nextAttemptAt: retryAt === null ? null : new Date(retryAt).toISOString() });
    if (state === "failed") {
      this.o.log.warn(`webhook ${delivery.event} for prediction ${delivery.predictionId} to ${delivery.url} failed after ${attempts} attempt(s): ${result.error}`);
    }
  }
}

function wants(record: PredictionRecord, event: WebhookEventType): boolean {
  return (record.webhookEventsFilter ?? ALL_EVENTS).includes(event);
}
