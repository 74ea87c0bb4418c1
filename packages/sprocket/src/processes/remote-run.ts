import { readFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors/index.ts";
import { mediaTypeOf } from "../lib/media-types.ts";
import type { Prediction } from "../protocol/api-types.ts";
import { ApiClient } from "./api-client.ts";
import { parseInputPairs } from "./cli-inputs.ts";
import { saveFileOutputs } from "./cli-outputs.ts";

export interface RemoteRunOptions {
  api: ApiClient;
  owner: string;
  name: string;
  version: string | null;
  /** Run on the deployment OWNER/NAME (its current release's version) instead of the model. */
  deployment?: boolean;
  inputs: string[];
  outputDir: string;
  /** Called with each streamed output event's text (with `stream`). */
  onStream?(text: string): void;
  /** Called once the prediction exists (to cancel it on Ctrl-C). */
  onCreated?(prediction: Prediction): void;
}

const TERMINAL = new Set(["succeeded", "failed", "canceled", "aborted"]);

/**
 * `sprocket run`: a prediction on a server, as the official clients make one. `@file` inputs are
 * uploaded with the Files API first; file outputs are downloaded to `outputDir`.
 */
export async function remoteRun(options: RemoteRunOptions): Promise<{ prediction: Prediction; output: unknown; files: string[] }> {
  const { api, owner, name } = options;
  const version = await versionToRun(options);
  const input = await parseInputPairs(options.inputs, version.openapi_schema ?? {}, (file) => upload(api, file));

  const stream = Boolean(options.onStream);
  const [route, body] = options.deployment
    ? [`/v1/deployments/${owner}/${name}/predictions`, { input, stream }]
    : ["/v1/predictions", { version: version.id, input, stream }];
  let prediction: Prediction = await api.json("POST", route, body, stream ? {} : { prefer: "wait=60" });
  options.onCreated?.(prediction);
  if (stream && prediction.urls?.stream && !TERMINAL.has(prediction.status)) await readStream(api, prediction.urls.stream, options.onStream!);
  prediction = await untilFinished(api, prediction, `/v1/predictions/${prediction.id}`);
  if (prediction.status !== "succeeded") return { prediction, output: prediction.output, files: [] };
  const origin = new URL(api.base).origin;
  const saved = await saveFileOutputs(prediction.output, options.outputDir, async (value) => {
    if (!/^https?:\/\//.test(value)) return null;
    const url = new URL(value);
    // Sprocket's file outputs are served at /o/<key>/<name>; anything else is text that looks like a URL.
    if (url.origin !== origin || !/^\/o\/[^/]+\/[^/]+$/.test(url.pathname)) return null;
    const response = await api.request("GET", value);
    if (!response.ok) throw ApiClient.errorOf(response, await response.text());
    return { name: decodeURIComponent(url.pathname.split("/").pop()!), bytes: new Uint8Array(await response.arrayBuffer()) };
  });
  return { prediction, output: saved.output, files: saved.written };
}

async function versionToRun(options: RemoteRunOptions): Promise<{ id: string; openapi_schema?: Record<string, unknown> }> {
  const { api, owner, name } = options;
  if (options.deployment) {
    const { current_release: release } = await api.json("GET", `/v1/deployments/${owner}/${name}`);
    return api.json("GET", `/v1/models/${release.model}/versions/${release.version}`);
  }
  const version = options.version
    ? await api.json("GET", `/v1/models/${owner}/${name}/versions/${options.version}`)
    : (await api.json("GET", `/v1/models/${owner}/${name}`)).latest_version;
  if (!version) throw new AppError("not_found", `${owner}/${name} has no versions yet: push one with \`sprocket push DIR ${owner}/${name}\``);
  return version;
}

/** Polls `path` until the prediction (or training) there is terminal. */
export async function untilFinished<T extends { status: string }>(api: ApiClient, current: T, path: string): Promise<T> {
  let latest = current;
  while (!TERMINAL.has(latest.status)) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    latest = await api.json("GET", path);
  }
  return latest;
}

/** POST /v1/files (multipart, as the official clients upload) → the URL to put in the input. */
export async function upload(api: ApiClient, file: string): Promise<string> {
  const form = new FormData();
  const name = path.basename(file);
  form.append("content", new Blob([readFileSync(file)], { type: mediaTypeOf(name) }), name);
  const uploaded = await api.json<{ urls: { get: string } }>("POST", "/v1/files", form);
  return uploaded.urls.get;
}

/** Server-sent events from urls.stream until `done`: each `output` event's data goes to onText. */
async function readStream(api: ApiClient, url: string, onText: (text: string) => void): Promise<void> {
  const response = await api.request("GET", url, undefined, { accept: "text/event-stream" });
  if (!response.ok || !response.body) throw ApiClient.errorOf(response, await response.text());
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      }
      if (event === "output") onText(data.join("\n"));
      if (event === "done" || event === "error") return;
    }
  }
}
