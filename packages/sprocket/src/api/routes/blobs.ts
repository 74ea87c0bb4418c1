import type { FastifyInstance } from "fastify";
import { AppError } from "../../errors/index.ts";
import type { ApiDeps } from "../server.ts";

type Params = { sha256: string };

/**
 * Sprocket extension used by `sprocket push`: content-addressed uploads, so a push sends only the
 * files the server does not have yet.
 */
export function registerBlobRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post("/v1/blobs/missing", async (request) => {
    const digests = (request.body as { digests?: unknown } | undefined)?.digests;
    if (!Array.isArray(digests) || digests.some((d) => typeof d !== "string")) {
      throw new AppError("bad_request", 'send {"digests": ["<sha256 hex>", …]}');
    }
    return { missing: (digests as string[]).filter((digest) => !deps.blobs.has(digest)) };
  });

  app.put<{ Params: Params }>("/v1/blobs/:sha256", async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw new AppError("unsupported_media_type", "send the file's bytes with Content-Type: application/octet-stream");
    const existed = deps.blobs.has(request.params.sha256);
    deps.blobs.put(request.params.sha256, request.body);
    return reply.code(existed ? 200 : 201).send({ sha256: request.params.sha256, size: request.body.length });
  });
}
