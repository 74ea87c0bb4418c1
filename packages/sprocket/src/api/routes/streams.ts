import type { FastifyInstance } from "fastify";
import { AppError } from "../../errors/index.ts";
import { resolveFileRefs } from "../../protocol/file-refs.ts";
import { cursorFromEventId, eventsSince, formatEvent } from "../sse-events.ts";
import type { ApiDeps } from "../server.ts";

const HEARTBEAT_MS = 15_000;

/**
 * `urls.stream`: server-sent events for one prediction (replicate-api.md §10). The signed URL is
 * the credential (the JS client sends no token; Python sends one, which is ignored). The stream
 * replays from the start (or from Last-Event-ID), follows the prediction live, ends with `done`.
 */
export function registerStreamRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string }; Querystring: { sig?: string } }>("/v1/streams/:id", async (request, reply) => {
    const { id } = request.params;
    const notFound = () => new AppError("not_found", "No such stream.");
    if (!deps.signer.verifyStream(id, request.query.sig)) throw notFound();
    const first = await deps.predictions.getForStream(id);
    if (!first) throw notFound();
    const iterator = await deps.models.hasIteratorOutput(first.model, first.version);
    const origin = request.origin;
    const text = (item: unknown) => {
      const resolved = resolveFileRefs(item, (ref) => `${origin}/o/${ref}`);
      return typeof resolved === "string" ? resolved : JSON.stringify(resolved);
    };

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    let cursor = cursorFromEventId(request.headers["last-event-id"] as string | undefined);
    let closed = false;
    let busy = false;
    let again = false;
    // Backpressure: while the socket's buffer is full, nothing more is written; the cursor keeps
    // what the client lacks, and the 'drain' event sends it all at once.
    let blocked = false;
    res.on("drain", () => {
      blocked = false;
      void update();
    });
    const heartbeat = setInterval(() => res.write(": keepalive\n\n"), HEARTBEAT_MS);
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unwatch();
      res.end();
    };
    // Each change re-reads the prediction and sends what the client lacks; changes that arrive
    // while a send is under way are folded into one more pass.
    const flush = async () => {
      if (busy) return void (again = true);
      busy = true;
      try {
        do {
          again = false;
          if (blocked) return;
          const prediction = await deps.predictions.getForStream(id);
          if (closed) return;
          if (!prediction) return close();
          const next = eventsSince(prediction, iterator, cursor, text);
          cursor = next.cursor;
          if (next.events.length > 0 && !res.write(next.events.map(formatEvent).join(""))) blocked = true;
          if (next.done) return close();
        } while (again);
      } finally {
        busy = false;
      }
    };
    // A failed read ends this stream; it must never become an unhandled rejection.
    const update = () => flush().catch(() => close());
    const unwatch = deps.predictions.watch(id, update);
    request.raw.on("close", close);
    await update();
  });
}
