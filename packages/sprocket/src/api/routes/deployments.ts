import type { FastifyInstance } from "fastify";
import { isJsonObject, validationError } from "../../errors/index.ts";
import type { ReleaseSettings } from "../../models/deployment-service.ts";
import { MAX_MAX_INSTANCES, MAX_MIN_INSTANCES } from "../../models/deployment-service.ts";
import type { Deployment, InvalidField } from "../../protocol/api-types.ts";
import type { DeploymentRecord } from "../../store/store.ts";
import { cursorOf, pageOf } from "../pagination.ts";
import type { ApiDeps } from "../server.ts";

type Params = { owner: string; name: string };

const PAGE_SIZE = 100;
const RELEASE_KEYS = ["model", "version", "hardware", "min_instances", "max_instances"] as const;
const CREATE_KEYS = new Set<string>(["name", ...RELEASE_KEYS]);
// `model` is not in Replicate's OpenAPI update schema, but the JS client's README lists it.
const UPDATE_KEYS = new Set<string>(RELEASE_KEYS);
const MAX_REPORTED_KEYS = 20;

/**
 * The Deployments API (replicate-api.md §7). Predictions on a deployment are created by the
 * predictions routes (the same code path as model predictions).
 */
export function registerDeploymentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { deployments } = deps;
  /** The deployment with its instances and queue depth (`sprocket_pool`, an extension) where a worker runs. */
  const withPool = (d: DeploymentRecord): Deployment => {
    const presented = presentDeployment(d);
    return deps.deploymentPool ? { ...presented, sprocket_pool: deps.deploymentPool(`${d.owner}/${d.name}`) } : presented;
  };

  app.get("/v1/deployments", async (request) => {
    const page = await deployments.list(request.account, PAGE_SIZE, cursorOf(request));
    return pageOf(request, request.origin, page.rows, page.more, (d) => ({ createdAt: d.createdAt, id: d.name }), withPool);
  });

  app.post("/v1/deployments", async (request) => {
    const body = deploymentBody(request.body, CREATE_KEYS, true);
    // Python 1.x strips an `owner/` prefix itself; a client that does not gets the same result.
    const name = (body.name as string).replace(/^[^/]*\//, "");
    return withPool(await deployments.create(request.account, name, releaseOf(body) as ReleaseSettings));
  });

  app.get<{ Params: Params }>("/v1/deployments/:owner/:name", async (request) =>
    withPool(await deployments.get(request.account, request.params.owner, request.params.name)),
  );

  app.patch<{ Params: Params }>("/v1/deployments/:owner/:name", async (request) => {
    const body = deploymentBody(request.body ?? {}, UPDATE_KEYS, false);
    const { owner, name } = request.params;
    return withPool(await deployments.update(request.account, owner, name, releaseOf(body)));
  });

  app.delete<{ Params: Params }>("/v1/deployments/:owner/:name", async (request, reply) => {
    await deployments.delete(request.account, request.params.owner, request.params.name);
    return reply.code(204).send();
  });
}

export function presentDeployment(d: DeploymentRecord): Deployment {
  const r = d.release;
  return {
    owner: d.owner,
    name: d.name,
    current_release: {
      number: r.number,
      model: r.model,
      version: r.version,
      created_at: r.createdAt,
      created_by: { ...r.createdBy, github_url: null, avatar_url: null },
      configuration: { hardware: r.hardware, min_instances: r.minInstances, max_instances: r.maxInstances },
    },
  };
}

function releaseOf(body: Record<string, unknown>): Partial<ReleaseSettings> {
  return {
    model: body.model as string | undefined,
    version: body.version as string | undefined,
    hardware: body.hardware as string | undefined,
    minInstances: body.min_instances as number | undefined,
    maxInstances: body.max_instances as number | undefined,
  };
}

/** The body's shape: known keys only, each of the right type and within Replicate's bounds. */
function deploymentBody(body: unknown, keys: Set<string>, create: boolean): Record<string, unknown> {
  if (!isJsonObject(body)) {
    throw validationError([{ type: "invalid_type", field: "", description: "the request body must be a JSON object" }]);
  }
  const fields: InvalidField[] = [];
  for (const key of Object.keys(body).filter((k) => !keys.has(k)).slice(0, MAX_REPORTED_KEYS)) {
    fields.push({ type: "additional_property_not_allowed", field: "", description: `Additional property ${key} is not allowed` });
  }
  for (const key of ["name", "model", "version", "hardware"]) {
    if (!keys.has(key)) continue;
    if (body[key] === undefined) {
      if (create) fields.push({ type: "required", field: "", description: `${key} is required` });
    } else if (typeof body[key] !== "string") fields.push({ type: "invalid_type", field: key, description: `${key} must be a string` });
  }
  for (const [key, max] of [["min_instances", MAX_MIN_INSTANCES], ["max_instances", MAX_MAX_INSTANCES]] as const) {
    const value = body[key];
    if (value === undefined) {
      if (create) fields.push({ type: "required", field: "", description: `${key} is required` });
    } else if (typeof value !== "number" || !Number.isInteger(value)) {
      fields.push({ type: "invalid_type", field: key, description: `${key} must be an integer` });
    } else if (value < 0) {
      fields.push({ type: "number_gte", field: key, description: `${key} must be greater than or equal to 0` });
    } else if (value > max) {
      fields.push({ type: "number_lte", field: key, description: `${key} must be less than or equal to ${max}` });
    }
  }
  if (!create && body.model !== undefined && body.version === undefined) {
    fields.push({ type: "required", field: "version", description: "version is required when model changes" });
  }
  if (fields.length > 0) throw validationError(fields);
  return body;
}
