// Progress webhooks for one prediction, as Cog 0.16 sends them (docs/cog.md §2.4): the whole
// current prediction is POSTed on each event the request's filter lets through; `start`, `output`
// and `logs` at most once per throttle interval (a skipped event is simply dropped, the next one
// carries the cumulative state) and fire-and-forget; `completed` always, retried on failure.

export const WEBHOOK_EVENTS = ["start", "output", "logs", "completed"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookOptions {
  /** Cog's COG_THROTTLE_RESPONSE_INTERVAL, in milliseconds (default 500). */
  throttleMs: number;
  userAgent: string;
  /** Sent as `Authorization: Bearer …` (Cog's WEBHOOK_AUTH_TOKEN). */
  authToken?: string;
  /** W3C trace headers copied from the create request. */
  traceHeaders: Record<string, string>;
  log(message: string): void;
}

/** Statuses a terminal delivery is retried on (urllib3's status_forcelist in Cog). */
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const TERMINAL_RETRIES = 12;
const REQUEST_TIMEOUT_MS = 30_000;

export class WebhookSender {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  /** Deliveries go out one after another, so a receiver sees them in the order they happened. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly filter: ReadonlySet<WebhookEvent>,
    private readonly options: WebhookOptions,
  ) {}

  /** `body` is read now (a snapshot), not when the delivery goes out. */
  notify(event: WebhookEvent, body: Record<string, unknown>): void {
    if (!this.filter.has(event)) return;
    const terminal = event === "completed";
    const now = performance.now();
    if (!terminal && now - this.lastSentAt < this.options.throttleMs) return;
    this.lastSentAt = now;
    const payload = JSON.stringify(body);
    this.chain = this.chain.then(() => this.deliver(payload, terminal ? TERMINAL_RETRIES : 0));
  }

  /** Resolves once every delivery queued so far succeeded or was given up. */
  drained(): Promise<void> {
    return this.chain;
  }

  private async deliver(payload: string, retries: number): Promise<void> {
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": this.options.userAgent, ...this.options.traceHeaders };
    if (this.options.authToken) headers.authorization = `Bearer ${this.options.authToken}`;
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      try {
        const response = await fetch(this.url, { method: "POST", headers, body: payload, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        await response.body?.cancel();
        if (response.ok) return;
        problem = `HTTP ${response.status}`;
        if (!RETRY_STATUSES.has(response.status)) retries = attempt; // not worth retrying
      } catch (error) {
        problem = (error as Error).message;
      }
      if (attempt >= retries) {
        // A failed delivery never fails the prediction (Cog's `webhook_delivery_failure`).
        if (retries > 0) this.options.log(`webhook ${this.url}: giving up after ${attempt + 1} attempts (${problem})`);
        return;
      }
      // urllib3's backoff: 0.1 s doubling, each wait capped (about five minutes in all).
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 60_000)));
    }
  }
}
