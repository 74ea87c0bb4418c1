import { createReadStream, existsSync } from "node:fs";
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../../errors/index.ts";
import type { RemoteUpdate } from "../../predictions/remote-runs.ts";
import type { ApiDeps } from "../server.ts";

type WorkerParams = { id: string };
const WORKER_ID = /^[A-Za-z0-9._-]{1,100}$/;
const UPDATE_TYPES = new Set(["started", "log", "output", "metric", "succeeded", "failed", "canceled"]);
/** The longest a claim waits for work before answering empty (the worker asks again). */
const MAX_CLAIM_WAIT_MS = 20_000;

/**
 * Sprocket extension: the API of `sprocket worker` hosts, which reach the system only through it
 * (no database or Redis of their own): heartbeats, claiming jobs, reporting progress, fetching
 * version files and uploaded inputs, uploading output files (Cog's upload-URL pattern). Only a full
 * token of the `admin` account (the operator) may use it: a worker sees every account's inputs.
 */
export function registerWorkerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const remote = deps.remoteRuns;
  if (!remote) return;
  const operator = (request: FastifyRequest) => {
    if (request.account !== "admin" || request.token?.grant) throw new AppError("forbidden", "Worker hosts need a full token of the admin account.");
    const id = (request.params as { id?: string }).id;
    if (id !== undefined && !WORKER_ID.test(id)) throw new AppError("validation_failed", "a worker id is 1–100 letters, digits, '.', '_' or '-'");
  };

  app.post<{ Params: WorkerParams }>("/v1/workers/:id/heartbeat", async (request) => {
    operator(request);
    const body = object(request.body);
    const strings = (value: unknown, field: string) => {
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new AppError("validation_failed", `${field} must be a list of strings`);
      return value as string[];
    };
    return remote.heartbeat({
      id: request.params.id,
      name: typeof body.name === "string" ? body.name.slice(0, 200) : request.params.id,
      hardware: strings(body.hardware ?? [], "hardware"),
      instances: Array.isArray(body.instances) ? body.instances : [],
      running: strings(body.running ?? [], "running"),
      lastSeen: Date.now(),
      startedAt: typeof body.started_at === "number" ? body.started_at : Date.now(),
    });
  });

  app.post<{ Params: WorkerParams }>("/v1/workers/:id/claim", async (request) => {
    operator(request);
    const body = object(request.body);
    const max = Number(body.max ?? 1);
    const waitMs = Number(body.wait_ms ?? 0);
    if (!Number.isInteger(max) || max < 1 || max > 100) throw new AppError("validation_failed", "max must be an integer from 1 to 100");
    if (!Number.isFinite(waitMs) || waitMs < 0) throw new AppError("validation_failed", "wait_ms must be a number of milliseconds ≥ 0");
    const hardware = body.hardware ?? ["cpu"];
    if (!Array.isArray(hardware) || hardware.length === 0 || hardware.some((h) => typeof h !== "string")) throw new AppError("validation_failed", "hardware must be a list of the SKUs this host has");
    return { jobs: await remote.claim(request.params.id, max, Math.min(waitMs, MAX_CLAIM_WAIT_MS), hardware as string[]) };
  });

  app.post<{ Params: WorkerParams }>("/v1/workers/:id/updates", async (request) => {
    operator(request);
    const updates = object(request.body).updates;
    if (!Array.isArray(updates) || updates.some((u) => typeof u?.id !== "string" || !UPDATE_TYPES.has(u?.type))) {
      throw new AppError("validation_failed", `updates must be a list of {id, type} with type one of ${[...UPDATE_TYPES].join(", ")}`);
    }
    return remote.apply(updates as RemoteUpdate[]);
  });

  app.get<{ Params: { version: string } }>("/v1/workers/versions/:version", async (request) => {
    operator(request);
    const [version] = await deps.store.findVersionsById(request.params.version);
    if (!version) throw new AppError("not_found", "No such version.");
    return { id: version.id, files: version.files };
  });

  app.get<{ Params: { sha256: string } }>("/v1/workers/blobs/:sha256", async (request, reply) => {
    operator(request);
    if (!/^[0-9a-f]{64}$/.test(request.params.sha256) || !(await deps.blobs.has(request.params.sha256))) throw new AppError("not_found", "No such blob.");
    return reply.header("content-type", "application/octet-stream").send(createReadStream(await deps.blobs.localPath(request.params.sha256)));
  });

  app.get<{ Params: { account: string; file: string } }>("/v1/workers/files/:account/:file", async (request, reply) => {
    operator(request);
    const found = await deps.uploads.local(request.params.account, request.params.file);
    if (!found || !existsSync(found.path)) throw new AppError("not_found", "No such file.");
    return reply.header("content-type", "application/octet-stream").header("x-file-name", encodeURIComponent(found.name)).send(createReadStream(found.path));
  });

  app.post<{ Params: WorkerParams; Querystring: { name?: string; content_type?: string } }>("/v1/workers/:id/outputs", async (request) => {
    operator(request);
    if (!(request.body instanceof Readable)) throw new AppError("unsupported_media_type", "send the file's bytes with Content-Type: application/octet-stream");
    const limit = deps.config.fileLimitBytes;
    const ref = await deps.outputs.ingest(request.body, request.query.name, request.query.content_type, limit, () => new AppError("body_too_large", `an output file may be at most ${limit} bytes (SPROCKET_FILE_LIMIT)`));
    return { ref };
  });
}

function object(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new AppError("validation_failed", "send a JSON object");
  return body as Record<string, unknown>;
}
