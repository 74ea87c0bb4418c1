import { Readable } from "node:stream";
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
    if (digests.length > 100_000) throw new AppError("bad_request", "ask about at most 100,000 digests at once");
    return { missing: await deps.models.missingBlobs(request.account, digests as string[]) };
  });

  app.put<{ Params: Params }>("/v1/blobs/:sha256", async (request, reply) => {
    if (!(request.body instanceof Readable)) throw new AppError("unsupported_media_type", "send the file's bytes with Content-Type: application/octet-stream");
    if (!/^[0-9a-f]{64}$/.test(request.params.sha256)) throw new AppError("validation_failed", "the URL names a blob by its sha256 in lower-case hex (64 characters)");
    const { created, size } = await deps.models.uploadBlob(request.account, request.params.sha256, request.body, deps.config.blobLimitBytes);
    return reply.code(created ? 201 : 200).send({ sha256: request.params.sha256, size });
  });
}
