import type { FastifyInstance, FastifyRequest } from "fastify";
import { isJsonObject, validationError } from "../../errors/index.ts";
import type { InvalidField } from "../../protocol/api-types.ts";
import type { ModelRecord } from "../../store/store.ts";
import { cursorOf, pageOf } from "../pagination.ts";
import { presentModel, presentVersion } from "../present.ts";
import type { ApiDeps } from "../server.ts";

type ModelParams = { owner: string; name: string };
type VersionParams = ModelParams & { id: string };

const PAGE_SIZE = 100;
const MODEL_URL_FIELDS = ["github_url", "paper_url", "license_url", "cover_image_url"] as const;
const CREATE_KEYS = new Set(["owner", "name", "visibility", "hardware", "description", ...MODEL_URL_FIELDS]);

export function registerModelRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { models } = deps;
  const present = async (request: FastifyRequest, model: ModelRecord) =>
    presentModel(model, await models.latestVersion(model), request.origin);

  app.get("/v1/models", async (request) => {
    const page = await models.list(request.account, PAGE_SIZE, cursorOf(request));
    const presented = await Promise.all(page.rows.map((model) => present(request, model)));
    return pageOf(
      request,
      request.origin,
      presented,
      page.more,
      (model) => ({ createdAt: model.created_at, id: `${model.owner}/${model.name}` }),
      (model) => model,
    );
  });

  // QUERY /v1/models: search. The JS client sends the text JSON-quoted ("llama").
  app.route({
    method: "QUERY",
    url: "/v1/models",
    handler: async (request) => {
      let query = typeof request.body === "string" ? request.body.trim() : "";
      if (/^".*"$/s.test(query)) {
        try {
          query = String(JSON.parse(query));
        } catch {
          query = query.slice(1, -1);
        }
      }
      const hits = await models.search(request.account, query);
      return { previous: null, next: null, results: await Promise.all(hits.map((model) => present(request, model))) };
    },
  });

  app.post("/v1/models", async (request, reply) => {
    const body = modelBody(request.body);
    // The hardware decides where predictions on the model's versions run, so it must be one this host has.
    if (body.hardware !== undefined && body.hardware !== null && !deps.hardware.some((h) => h.sku === body.hardware)) {
      const skus = deps.hardware.map((h) => `"${h.sku}"`).join(", ");
      throw validationError([{ type: "enum", field: "hardware", description: `hardware must be one of the following (GET /v1/hardware): ${skus}` }]);
    }
    const model = await models.create(request.account, {
      owner: body.owner as string,
      name: body.name as string,
      visibility: body.visibility as "public" | "private",
      hardware: body.hardware as string | undefined,
      description: body.description as string | undefined,
      githubUrl: body.github_url as string | undefined,
      paperUrl: body.paper_url as string | undefined,
      licenseUrl: body.license_url as string | undefined,
      coverImageUrl: body.cover_image_url as string | undefined,
    });
    return reply.code(201).send(await present(request, model));
  });

  app.get<{ Params: ModelParams }>("/v1/models/:owner/:name", async (request) =>
    present(request, await models.get(request.account, request.params.owner, request.params.name)),
  );

  app.delete<{ Params: ModelParams }>("/v1/models/:owner/:name", async (request, reply) => {
    await models.delete(request.account, request.params.owner, request.params.name);
    return reply.code(204).send();
  });

  app.get<{ Params: ModelParams }>("/v1/models/:owner/:name/readme", async (request, reply) => {
    const readme = await models.readme(request.account, request.params.owner, request.params.name);
    return reply.type("text/plain; charset=utf-8").send(readme);
  });

  app.get<{ Params: ModelParams }>("/v1/models/:owner/:name/versions", async (request) => {
    const { owner, name } = request.params;
    const page = await models.listVersions(request.account, owner, name, PAGE_SIZE, cursorOf(request));
    return pageOf(request, request.origin, page.rows, page.more, (v) => ({ createdAt: v.createdAt, id: v.id }), presentVersion);
  });

  app.get<{ Params: VersionParams }>("/v1/models/:owner/:name/versions/:id", async (request) => {
    const { owner, name, id } = request.params;
    return presentVersion(await models.getVersion(request.account, owner, name, id));
  });

  app.delete<{ Params: VersionParams }>("/v1/models/:owner/:name/versions/:id", async (request, reply) => {
    const { owner, name, id } = request.params;
    await models.deleteVersion(request.account, owner, name, id);
    return reply.code(202).send();
  });

  // Sprocket extension, used by `sprocket push`: make a version from uploaded blobs.
  app.post<{ Params: ModelParams }>("/v1/models/:owner/:name/versions", async (request, reply) => {
    const body = request.body as { files?: unknown } | undefined;
    const { version, created, notes } = await models.createVersion(request.account, request.params.owner, request.params.name, body?.files);
    // build_notes (extension): what of cog.yaml's `build:` this host could not honour.
    return reply.code(created ? 201 : 200).send({ ...presentVersion(version), build_notes: notes });
  });
}

function modelBody(body: unknown): Record<string, unknown> {
  if (!isJsonObject(body)) {
    throw validationError([{ type: "invalid_type", field: "", description: "the request body must be a JSON object" }]);
  }
  const record = body;
  const fields: InvalidField[] = [];
  for (const key of Object.keys(record).filter((k) => !CREATE_KEYS.has(k)).slice(0, 20)) {
    fields.push({ type: "additional_property_not_allowed", field: "", description: `Additional property ${key} is not allowed` });
  }
  for (const key of ["owner", "name", "visibility"]) {
    if (record[key] === undefined) fields.push({ type: "required", field: "", description: `${key} is required` });
    else if (typeof record[key] !== "string") fields.push({ type: "invalid_type", field: key, description: `${key} must be a string` });
  }
  if (typeof record.visibility === "string" && !["public", "private"].includes(record.visibility)) {
    fields.push({ type: "enum", field: "visibility", description: 'visibility must be one of the following: "public", "private"' });
  }
  for (const key of ["hardware", "description", ...MODEL_URL_FIELDS]) {
    if (record[key] !== undefined && record[key] !== null && typeof record[key] !== "string") {
      fields.push({ type: "invalid_type", field: key, description: `${key} must be a string` });
    }
  }
  if (fields.length > 0) throw validationError(fields);
  return record;
}
