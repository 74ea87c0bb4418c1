// The baseline: a bare Node `http` server answering the benchmark's prediction request the
// cheapest honest way — read and parse the JSON body, check the bearer token, reply 201 with a
// small prediction-shaped JSON object. It runs in its own process, started through tsx like
// Sprocket, so both sides pay the same runtime and loader costs and differ only in what they do.
// Usage: node-ts.mjs bench/lib/baseline-server.ts TOKEN   (prints "listening on http://…")
import http from "node:http";

const token = process.argv[2] ?? "T";
let counter = 0;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    if (req.method !== "POST") return reply(res, 404, { detail: "not found", status: 404 });
    if (req.headers.authorization !== `Bearer ${token}`) return reply(res, 401, { detail: "unauthenticated", status: 401 });
    let body: { input?: Record<string, unknown> };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return reply(res, 400, { detail: "bad json", status: 400 });
    }
    const now = new Date().toISOString();
    reply(res, 201, {
      id: `baseline${(counter++).toString(36)}`,
      model: "admin/noop",
      input: body.input ?? {},
      output: body.input?.x ?? 1,
      error: null,
      status: "succeeded",
      created_at: now,
      started_at: now,
      completed_at: now,
    });
  });
});

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
