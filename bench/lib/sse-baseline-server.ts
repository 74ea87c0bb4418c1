// The stream benchmark's baseline: a bare node:http server that streams items as server-sent
// events the cheapest honest way. On `GET /stream?count=N&pause=MS` it sends the same headers as
// Sprocket's urls.stream, then, from its own timer, `count` items `pause` ms apart, each stamped
// right before it is written (the same "<seq> <ms>" text as bench/models/stream-clock), as
// `event: output` frames, and ends with `event: done`. It runs through tsx like Sprocket, in its
// own process, so the one client measures both the same way.
// Usage: node-ts.mjs bench/lib/sse-baseline-server.ts   (prints "listening on http://…")
import http from "node:http";
import { clock, itemText } from "./sse-client.ts";

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (req.method !== "GET" || url.pathname !== "/stream") {
    res.writeHead(404).end();
    return;
  }
  const count = Number(url.searchParams.get("count") ?? 500);
  const pause = Number(url.searchParams.get("pause") ?? 5);
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  let closed = false;
  req.on("close", () => (closed = true));
  let seq = 0;
  const next = () => {
    if (closed) return;
    const data = itemText(seq, clock());
    seq++;
    res.write(`event: output\nid: ${seq}:0\ndata: ${data}\n\n`);
    if (seq >= count) return void res.end(`event: done\nid: ${seq}:0:done\ndata: {}\n\n`);
    if (pause > 0) setTimeout(next, pause);
    else setImmediate(next);
  };
  next();
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
