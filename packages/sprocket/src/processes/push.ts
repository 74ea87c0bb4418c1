import { createReadStream, statSync } from "node:fs";
import { Readable } from "node:stream";
import { buildBundle } from "./build.ts";
import { ApiClient } from "./api-client.ts";
import type { Version } from "../protocol/api-types.ts";

export interface PushOptions {
  dir: string;
  owner: string;
  name: string;
  api: ApiClient;
  /** Where file hashes are remembered (null: none). */
  cacheDir: string | null;
  progress(message: string): void;
  /** After each uploaded blob: files and bytes sent so far, of the totals to send. */
  uploaded?(state: { files: number; totalFiles: number; bytes: number; totalBytes: number }): void;
}

/**
 * The client side of `sprocket push`: bundle the directory, upload only the blobs the server lacks,
 * create the model if it is missing (private), then create the version. Same files, same id.
 */
export async function push(options: PushOptions): Promise<{ version: Version; created: boolean; uploaded: number; uploadedBytes: number; notes: string[] }> {
  const api = options.api;
  const call = (method: string, path: string, body?: unknown) => api.request(method, path, body);
  const json = (response: Response) => ApiClient.parse(response) as Promise<any>;

  const bundle = await buildBundle({ dir: options.dir, cacheDir: options.cacheDir });
  const { missing } = (await json(await call("POST", "/v1/blobs/missing", { digests: [...bundle.sources.keys()] }))) as { missing: string[] };
  let sent = 0;
  let bytes = 0;
  const totalBytes = missing.reduce((sum, sha) => sum + statSync(bundle.sources.get(sha)!).size, 0);
  for (const sha of missing) {
    // Streamed from disk: a weight file of any size costs the CLI a few buffers of memory.
    const file = bundle.sources.get(sha)!;
    const size = statSync(file).size;
    const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
    await json(await api.request("PUT", `/v1/blobs/${sha}`, body, { "content-type": "application/octet-stream", "content-length": String(size) }));
    bytes += size;
    options.uploaded?.({ files: ++sent, totalFiles: missing.length, bytes, totalBytes });
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
  return { version, created: response.status === 201, uploaded: missing.length, uploadedBytes: bytes, notes };
}
