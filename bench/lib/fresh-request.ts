import http from "node:http";

export interface FreshReply {
  status: number;
  text: string;
  /** Send → last byte of the answer. */
  ms: number;
}

/**
 * One request on a fresh loopback connection (no keep-alive agent), as a client creating one
 * prediction would: what cold-start style benchmarks time. A body is sent as JSON unless the
 * headers say otherwise.
 */
export function freshRequest(
  base: string,
  token: string,
  method: string,
  urlPath: string,
  body?: Buffer | string,
  headers: Record<string, string> = {},
): Promise<FreshReply> {
  const url = new URL(urlPath, base);
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { "content-length": String(payload.length), "content-type": "application/json" } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${urlPath}: no answer after 60 s`)));
    req.on("error", reject);
    req.end(payload);
  });
}
