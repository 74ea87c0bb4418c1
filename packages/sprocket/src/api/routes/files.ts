import { createReadStream } from "node:fs";
import type { FastifyInstance } from "fastify";
import { AppError } from "../../errors/index.ts";
import { readFileUpload } from "../file-upload.ts";
import { cursorOf, pageOf } from "../pagination.ts";
import { presentFile } from "../present.ts";
import type { ApiDeps } from "../server.ts";

const PAGE_SIZE = 100;

type Params = { id: string };

/** The Files API (replicate-api.md §8): uploads scoped to the account that made them. */
export function registerFileRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { uploads, signer } = deps;

  app.post("/v1/files", async (request, reply) => {
    const file = await uploads.create(request.account, await readFileUpload(request, uploads));
    const presented = presentFile(file, request.origin, signer);
    return reply.code(201).header("location", presented.urls.get).send(presented);
  });

  app.get("/v1/files", async (request) => {
    const page = await deps.store.listFiles(request.account, PAGE_SIZE, cursorOf(request));
    return pageOf(
      request,
      request.origin,
      page.rows,
      page.more,
      (file) => ({ createdAt: file.createdAt, id: file.id }),
      (file) => presentFile(file, request.origin, signer),
    );
  });

  app.get<{ Params: Params }>("/v1/files/:id", async (request) => {
    const file = await uploads.get(request.account, request.params.id);
    if (!file) throw notFound();
    return presentFile(file, request.origin, signer);
  });

  app.delete<{ Params: Params }>("/v1/files/:id", async (request, reply) => {
    if (!(await uploads.delete(request.account, request.params.id))) throw notFound();
    return reply.code(204).send();
  });

  // Needs no token: the signature is the credential (see PUBLIC_ROUTES in server.ts). A bad or
  // expired signature is refused before the file is looked up, so it tells nothing about the file.
  app.get<{ Params: Params; Querystring: Record<string, string | undefined> }>("/v1/files/:id/download", async (request, reply) => {
    const { owner, expiry, signature } = request.query;
    if (!signer.verifyFileDownload(owner, request.params.id, expiry, signature, Math.floor(Date.now() / 1000))) {
      throw new AppError("forbidden", "This download link is not valid or has expired.");
    }
    const file = await uploads.get(owner!, request.params.id);
    if (!file) throw notFound();
    const bytes = await uploads.bytesPath(file);
    reply
      .header("content-type", "application/octet-stream")
      .header("content-length", file.size)
      .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
      .header("x-content-type-options", "nosniff")
      .header("etag", `"${file.md5}"`);
    return reply.send(createReadStream(bytes));
  });
}

const notFound = () => new AppError("not_found", "File not found");
