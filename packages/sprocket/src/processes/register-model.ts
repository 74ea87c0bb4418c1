import { collectDirectory } from "../models/bundle.ts";
import type { ModelService } from "../models/model-service.ts";
import type { VersionRecord } from "../store/store.ts";
import { createReadStream } from "node:fs";

/**
 * Pushes a local model directory to owner/name in-process (the same path as `sprocket push`, minus
 * HTTP): used to register the bundled examples at start.
 */
export async function registerDirectory(
  models: ModelService,
  dir: string,
  owner: string,
  name: string,
  visibility: "public" | "private",
): Promise<{ version: VersionRecord; created: boolean }> {
  const bundle = collectDirectory(dir);
  for (const sha of await models.missingBlobs(owner, [...bundle.sources.keys()])) {
    await models.uploadBlob(owner, sha, createReadStream(bundle.sources.get(sha)!), Number.MAX_SAFE_INTEGER);
  }
  try {
    await models.get(owner, owner, name);
  } catch {
    await models.create(owner, { owner, name, visibility });
  }
  const { version, created } = await models.createVersion(owner, owner, name, bundle.manifest);
  return { version, created };
}
