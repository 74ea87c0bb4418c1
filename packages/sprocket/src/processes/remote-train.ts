import { AppError } from "../errors/index.ts";
import type { Prediction } from "../protocol/api-types.ts";
import type { ApiClient } from "./api-client.ts";
import { parseInputPairs } from "./cli-inputs.ts";
import { untilFinished, upload } from "./remote-run.ts";

export interface RemoteTrainOptions {
  api: ApiClient;
  owner: string;
  name: string;
  version: string | null;
  destination: string;
  inputs: string[];
  /** Called once the training exists (to cancel it on Ctrl-C). */
  onCreated?(training: Prediction): void;
}

/**
 * `sprocket train`: a training on a server, as the official clients make one, waited for. `@file`
 * inputs are uploaded with the Files API first (the clients do not upload training inputs
 * themselves); inputs are read against the version's TrainingInput.
 */
export async function remoteTrain(options: RemoteTrainOptions): Promise<Prediction> {
  const { api, owner, name } = options;
  const version = options.version
    ? await api.json("GET", `/v1/models/${owner}/${name}/versions/${options.version}`)
    : (await api.json("GET", `/v1/models/${owner}/${name}`)).latest_version;
  if (!version) throw new AppError("not_found", `${owner}/${name} has no versions yet: push one with \`sprocket push DIR ${owner}/${name}\``);
  const schemas = version.openapi_schema?.components?.schemas ?? {};
  if (!schemas.TrainingInput) throw new AppError("bad_request", `${owner}/${name}:${version.id} cannot be trained: its cog.yaml has no \`train:\``);
  // The input parser reads components.schemas.Input: give it the trainer's.
  const trainingSchema = { ...version.openapi_schema, components: { schemas: { ...schemas, Input: schemas.TrainingInput } } };
  const input = await parseInputPairs(options.inputs, trainingSchema, (file) => upload(api, file));
  const created: Prediction = await api.json("POST", `/v1/models/${owner}/${name}/versions/${version.id}/trainings`, { destination: options.destination, input });
  options.onCreated?.(created);
  return untilFinished(api, created, `/v1/trainings/${created.id}`);
}
