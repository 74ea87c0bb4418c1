import http from "node:http";
import https from "node:https";
import { guardedLookup, privateLiteralHost } from "../lib/private-addresses.ts";

export interface SendOptions {
  /** Whole request, connection to the end of the (limited) response read. */
  timeoutMs: number;
  allowPrivate: boolean;
  signal: AbortSignal;
}

export interface SendOutcome {
  /** The receiver's status, or null when no answer came. */
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  retryAfter: string | undefined;
}

/** How much of a receiver's answer is read (for the attempt log); the rest is never read. */
const RESPONSE_READ_LIMIT = 1024;

// Connections are kept open between deliveries: a receiver that gets many webhooks (every
// prediction of a service) pays the TCP (and TLS) handshake once. The address check runs on every
// new connection, the only time an address is chosen.
const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 16 }), https: new https.Agent({ keepAlive: true, maxSockets: 16 }) };

/**
 * POSTs one webhook. Never follows redirects (a 3xx is the receiver's answer, recorded as such),
 * refuses private addresses unless allowed, and reads at most 1 KiB of the answer.
 */
export async function postWebhook(url: string, headers: Record<string, string>, body: string, o: SendOptions): Promise<SendOutcome> {
  const started = performance.now();
  const outcome = (statusCode: number | null, error: string | null, retryAfter?: string): SendOutcome => ({
    statusCode,
    latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
    error,
    retryAfter,
  });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return outcome(null, "not a valid URL");
  }
  const literal = o.allowPrivate ? null : privateLiteralHost(target);
  if (literal) return outcome(null, `refused: ${literal} is a private address (set SPROCKET_ALLOW_PRIVATE_URLS=true to allow)`);
  const secure = target.protocol === "https:";
  const signal = AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]);
  return new Promise<SendOutcome>((resolve) => {
    const request = (secure ? https : http).request(
      target,
      {
        method: "POST",
        agent: secure ? agents.https : agents.http,
        lookup: guardedLookup(o.allowPrivate),
        signal,
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "sprocket-webhooks" },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const retryAfter = response.headers["retry-after"];
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const text = Buffer.concat(chunks).toString("utf8").slice(0, 200).trim();
          const error = status >= 200 && status < 300 ? null : `HTTP ${status}${status >= 300 && status < 400 ? " (redirects are not followed)" : ""}${text ? `: ${text}` : ""}`;
          resolve(outcome(status, error, retryAfter));
        };
        response.on("data", (chunk: Buffer) => {
          if (size < RESPONSE_READ_LIMIT) chunks.push(chunk.subarray(0, RESPONSE_READ_LIMIT - size));
          size += chunk.length;
          // Past the limit the connection is dropped: a receiver cannot make us read a big answer.
          if (size >= RESPONSE_READ_LIMIT) {
            response.destroy();
            finish();
          }
        });
        response.on("end", finish);
        response.on("error", finish);
      },
    );
    request.on("error", (error) => resolve(outcome(null, signal.aborted && !o.signal.aborted ? `no answer within ${o.timeoutMs / 1000} s` : error.message)));
    request.end(body);
  });
}
