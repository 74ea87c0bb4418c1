import { createReadStream } from "node:fs";
import { AppError } from "../errors/index.ts";
import type { BlobStore } from "../files/blob-store.ts";
import type { OutputFiles } from "../files/output-files.ts";
import { parseFileRef } from "../protocol/file-refs.ts";
import type { PredictionRecord, Store } from "../store/store.ts";
import type { ModelService } from "./model-service.ts";

/**
 * What a succeeded training becomes: a new version of its destination model, made of the base
 * version's files with the trained weights as `weights` beside cog.yaml — where Cog's
 * `setup(weights=…)` (and Sprocket's TS `setup({ weights })`) finds them. Content-addressed like any
 * version: the same code and weights give the same version id. The training's output becomes
 * Replicate's `{version: "owner/name:id", weights: URL}`.
 */
export class TrainingVersions {
  constructor(
    private readonly models: ModelService,
    private readonly outputs: Pick<OutputFiles, "open">,
    private readonly blobs: BlobStore,
    private readonly store: Store,
  ) {}

  async complete(record: PredictionRecord, output: unknown): Promise<unknown> {
    // train() returns a Path, or Cog's TrainingOutput with a `weights` Path.
    const candidate = typeof output === "string" ? output : (output as { weights?: unknown } | null)?.weights;
    const ref = typeof candidate === "string" ? parseFileRef(candidate) : null;
    if (!ref) throw new Error("train() returned no weights file: return a Path, or an object with a `weights` Path (Cog's TrainingOutput)");
    const file = await this.outputs.open(ref.key);
    if (!file) throw new Error("the weights file train() returned is gone");
    const { sha256 } = await this.blobs.ingest(createReadStream(file.path), {
      maxBytes: Number.MAX_SAFE_INTEGER,
      overLimit: () => new AppError("body_too_large", "weights too large"),
    });
    await this.store.addBlobOwner(record.account, sha256);
    const [baseOwner, baseName] = record.model.split("/");
    const base = await this.store.getVersion(baseOwner, baseName, record.version);
    if (!base) throw new Error(`the base version ${record.model}:${record.version} no longer exists`);
    const files = Object.fromEntries(Object.entries(base.files).filter(([name]) => name !== "weights" && !name.startsWith("weights/")));
    const [owner, name] = record.destination!.split("/");
    const { version } = await this.models.createVersion(record.account, owner, name, { ...files, weights: sha256 });
    return { version: `${owner}/${name}:${version.id}`, weights: candidate };
  }
}
