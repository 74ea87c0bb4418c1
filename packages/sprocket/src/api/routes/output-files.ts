import { createReadStream } from "node:fs";
import type { FastifyInstance } from "fastify";
import { AppError } from "../../errors/index.ts";
import type { ApiDeps } from "../server.ts";

/**
 * Files models returned, at `/o/{key}/{name}`: the key is unguessable (144 random bits), so the URL
 * is its own credential — the JS client fetches outputs without a token and Python with one, and
 * both work. Range requests are answered for audio and video players.
 */
export function registerOutputFileRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { key: string; name: string } }>("/o/:key/:name", async (request, reply) => {
    const file = await deps.outputs.open(request.params.key);
    if (!file) throw new AppError("not_found", "No such output file.");
    // Model-chosen content on the API's origin: never sniffed, never scripted; only media play inline.
    const inline = /^(image|audio|video)\//.test(file.contentType) || file.contentType === "text/plain" || file.contentType === "application/json";
    reply
      .header("content-type", file.contentType)
      .header("x-content-type-options", "nosniff")
      .header("content-security-policy", "sandbox; default-src 'none'")
      .header("content-disposition", `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(file.name)}`)
      .header("accept-ranges", "bytes")
      .header("cache-control", "private, max-age=31536000, immutable");
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(request.headers.range ?? ""));
    if (range && (range[1] !== "" || range[2] !== "")) {
      const start = range[1] === "" ? Math.max(0, file.size - Number(range[2])) : Number(range[1]);
      const end = range[1] === "" || range[2] === "" ? file.size - 1 : Math.min(Number(range[2]), file.size - 1);
      if (start > end || start >= file.size) {
        return reply.code(416).header("content-range", `bytes */${file.size}`).send();
      }
      reply.code(206).header("content-range", `bytes ${start}-${end}/${file.size}`).header("content-length", end - start + 1);
      return reply.send(createReadStream(file.path, { start, end }));
    }
    reply.header("content-length", file.size);
    return reply.send(createReadStream(file.path));
  });
}
