// The webhook benchmark's receiver: a bare node:http server on 127.0.0.1, in the benchmark process,
// that stamps each request the moment its last byte arrives (before any parsing), keeps the raw
// body and the Standard Webhooks headers for checking later, and answers 200 at once. Arrivals are
// looked up by the prediction id in the body; one may arrive before the benchmark has read the
// create's reply (both come in on the same event loop), so an arrival waits here for its waiter
// rather than the other way round.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { clock } from "./sse-client.ts";

export interface ReceivedWebhook {
  /** clock() when the request's last byte arrived. */
  at: number;
  /** The prediction id from the body, or null when the body did not parse. */
  predictionId: string | null;
  body: string;
  /** The body parsed, or null. */
  json: { id?: unknown; status?: unknown; output?: unknown; error?: unknown } | null;
  method: string;
  url: string;
  /** The three Standard Webhooks headers, undefined when absent. */
  webhookId: string | undefined;
  webhookTimestamp: string | undefined;
  webhookSignature: string | undefined;
}

export class WebhookReceiver {
  /** Arrivals not yet claimed by waitFor(), by prediction id (several, if a prediction got more than one). */
  private readonly unclaimed = new Map<string, ReceivedWebhook[]>();
  private readonly waiters = new Map<string, (received: ReceivedWebhook) => void>();
  /** Requests whose body held no prediction id (malformed): the benchmark reports them. */
  readonly strays: ReceivedWebhook[] = [];
  total = 0;
  private server?: http.Server;
  url = "";

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const at = clock();
        // Answered before anything else is done with it, so Sprocket's side of the exchange ends
        // (and its attempt-log write starts) as early as a real receiver's quickest answer.
        res.writeHead(200, { "content-length": 0 }).end();
        this.total++;
        const body = Buffer.concat(chunks).toString("utf8");
        let json: ReceivedWebhook["json"] = null;
        try {
          json = JSON.parse(body) as ReceivedWebhook["json"];
        } catch {
          // Counted as a failure by the benchmark (json stays null).
        }
        const header = (name: string) => {
          const value = req.headers[name];
          return Array.isArray(value) ? value.join(",") : value;
        };
        const received: ReceivedWebhook = {
          at,
          predictionId: typeof json?.id === "string" ? json.id : null,
          body,
          json,
          method: req.method ?? "",
          url: req.url ?? "",
          webhookId: header("webhook-id"),
          webhookTimestamp: header("webhook-timestamp"),
          webhookSignature: header("webhook-signature"),
        };
        if (received.predictionId === null) return void this.strays.push(received);
        const waiter = this.waiters.get(received.predictionId);
        if (waiter) {
          this.waiters.delete(received.predictionId);
          waiter(received);
        } else {
          const list = this.unclaimed.get(received.predictionId) ?? [];
          list.push(received);
          this.unclaimed.set(received.predictionId, list);
        }
      });
    });
    // Sprocket keeps its connection to a receiver open between deliveries; so does this side.
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  /** The first webhook for `predictionId`, or null after `timeoutMs`. */
  waitFor(predictionId: string, timeoutMs: number): Promise<ReceivedWebhook | null> {
    const early = this.unclaimed.get(predictionId)?.shift();
    if (early) return Promise.resolve(early);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(predictionId);
        resolve(null);
      }, timeoutMs);
      this.waiters.set(predictionId, (received) => {
        clearTimeout(timer);
        resolve(received);
      });
    });
  }

  /** Arrivals nobody waited for (a second webhook for a prediction, or one for an unknown id). */
  leftOver(): ReceivedWebhook[] {
    return [...this.unclaimed.values()].flat();
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
