import { readFileSync } from "node:fs";
import { AppError } from "../errors/index.ts";
import { collectDirectory } from "../models/bundle.ts";
import type { Version } from "../protocol/api-types.ts";

export interface PushOptions {
  dir: string;
  owner: string;
  name: string;
  server: string;
  token: string;
  progress(message: string): void;
}

/**
 * The client side of `sprocket push`: bundle the directory, upload only the blobs the server lacks,
 * create the model if it is missing (private), then create the version. Same files, same id.
 */
export async function push(options: PushOptions): Promise<{ version: Version; created: boolean; uploaded: number; notes: string[] }> {
  const base = options.server.replace(/\/+$/, "").replace(/\/v1$/, "");
  const headers = { authorization: `Bearer ${options.token}` };
  const call = async (method: string, path: string, body?: unknown, contentType = "application/json") => {
    try {
      return await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, "content-type": contentType },
        body: body === undefined ? undefined : contentType === "application/json" ? JSON.stringify(body) : (body as Uint8Array),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new AppError("unavailable", `cannot reach the Sprocket server at ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
  };
  const json = async (response: Response) => {
    const text = await response.text();
    if (!response.ok) {
      let detail = text;
      try {
        detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new AppError(response.status === 401 ? "invalid_token" : "bad_request", `${response.status} from ${response.url}: ${detail}`);
    }
    return text ? JSON.parse(text) : null;
  };

  const bundle = collectDirectory(options.dir);
  const { missing } = (await json(await call("POST", "/v1/blobs/missing", { digests: [...bundle.sources.keys()] }))) as { missing: string[] };
  let sent = 0;
  for (const sha of missing) {
    await json(await call("PUT", `/v1/blobs/${sha}`, readFileSync(bundle.sources.get(sha)!), "application/octet-stream"));
    options.progress(`uploaded ${++sent}/${missing.length} files`);
  }

  const existing = await call("GET", `/v1/models/${options.owner}/${options.name}`);
  if (existing.status === 404) {
    await json(await call("POST", "/v1/models", { owner: options.owner, name: options.name, visibility: "private" }));
    options.progress(`created model ${options.owner}/${options.name}`);
  } else {
    await json(existing);
  }
  const response = await call("POST", `/v1/models/${options.owner}/${options.name}/versions`, { files: bundle.manifest });
  const { build_notes: notes = [], ...version } = (await json(response)) as Version & { build_notes?: string[] };
  return { version, created: response.status === 201, uploaded: missing.length, notes };
}
