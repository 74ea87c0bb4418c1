import type { Readable } from "node:stream";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { AppError, validationError } from "../errors/index.ts";
import type { BlobStore } from "../files/blob-store.ts";
import type { CursorKey } from "../lib/cursor.ts";
import { TtlCache } from "../lib/ttl-cache.ts";
import type { ListPage, ModelRecord, Store, VersionRecord } from "../store/store.ts";
import { materialize, validateManifest, versionIdOf } from "./bundle.ts";
import { runtimeOf } from "../protocol/cog-reference.ts";
import { checkCogYaml } from "./cog-yaml.ts";
import type { EnvironmentPreparer } from "./environment.ts";

/** Loads a model directory and reports its predictor and schema (a runner in schema mode). */
export type SchemaReader = (dir: string) => Promise<{ predictor: string; openapiSchema: Record<string, unknown> }>;

export interface NewModel {
  owner: string;
  name: string;
  visibility: "public" | "private";
  hardware?: string;
  description?: string | null;
  githubUrl?: string | null;
  paperUrl?: string | null;
  licenseUrl?: string | null;
  coverImageUrl?: string | null;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const VERSION_ID = /^[0-9a-f]{64}$/;
export const SPROCKET_COG_VERSION = "0.16.0-sprocket";

const modelNotFound = () => new AppError("not_found", "The requested resource could not be found.");
/** Who may see a model: anyone when it is public, else its owner only. */
const visibleTo = (model: ModelRecord | null, viewer: string): model is ModelRecord =>
  model !== null && (model.visibility === "public" || model.owner === viewer);

/** How long another process's changes to models and versions may take to be seen here. */
const CACHE_TTL_MS = 5_000;

export class ModelService {
  // Models and versions are read on every prediction create and change rarely: cached, and
  // cleared whenever this process changes any of them.
  private readonly modelCache = new TtlCache<ModelRecord | null>(CACHE_TTL_MS);
  private readonly latestCache = new TtlCache<VersionRecord | null>(CACHE_TTL_MS);
  private readonly byIdCache = new TtlCache<VersionRecord[]>(CACHE_TTL_MS);
  /** Runs not yet added to models' run_count (written in batches by flushRunCounts). */
  private readonly pendingRuns = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly versionsDir: string,
    private readonly readSchema: SchemaReader,
    private readonly prepareEnvironment: EnvironmentPreparer,
  ) {}

  private findModel(owner: string, name: string): Promise<ModelRecord | null> {
    return this.modelCache.get(`${owner}/${name}`, () => this.store.getModel(owner, name));
  }

  private findLatest(owner: string, name: string): Promise<VersionRecord | null> {
    return this.latestCache.get(`${owner}/${name}`, () => this.store.latestVersion(owner, name));
  }

  private changed(): void {
    this.modelCache.clear();
    this.latestCache.clear();
    this.byIdCache.clear();
  }

  /** Counts a prediction against its model's run_count (written by flushRunCounts). */
  countRun(owner: string, name: string): void {
    const key = `${owner}/${name}`;
    this.pendingRuns.set(key, (this.pendingRuns.get(key) ?? 0) + 1);
  }

  async flushRunCounts(): Promise<void> {
    const runs = [...this.pendingRuns];
    this.pendingRuns.clear();
    for (const [key, count] of runs) {
      const [owner, name] = key.split("/");
      await this.store.addRunCount(owner, name, count);
    }
    if (runs.length > 0) this.modelCache.clear();
  }

  versionDir(versionId: string): string {
    return path.join(this.versionsDir, versionId);
  }

  async create(viewer: string, model: NewModel): Promise<ModelRecord> {
    if (model.owner !== viewer) {
      throw new AppError("forbidden", `You can only create models under your own account ("${viewer}"), not "${model.owner}".`);
    }
    if (!NAME.test(model.name)) {
      throw validationError([
        { type: "pattern", field: "name", description: "name must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit" },
      ]);
    }
    const record: ModelRecord = {
      owner: model.owner,
      name: model.name,
      description: model.description ?? null,
      visibility: model.visibility,
      githubUrl: model.githubUrl ?? null,
      paperUrl: model.paperUrl ?? null,
      licenseUrl: model.licenseUrl ?? null,
      coverImageUrl: model.coverImageUrl ?? null,
      hardware: model.hardware ?? "cpu",
      createdAt: new Date().toISOString(),
      runCount: 0,
    };
    if (!(await this.store.insertModel(record))) {
      throw new AppError("conflict", `A model named ${model.owner}/${model.name} already exists.`);
    }
    this.changed();
    return record;
  }

  /** A model the viewer may see (its own, or public), else 404. */
  async get(viewer: string, owner: string, name: string): Promise<ModelRecord> {
    const model = await this.findModel(owner, name);
    if (!visibleTo(model, viewer)) throw modelNotFound();
    return model;
  }

  list(viewer: string, limit: number, after?: CursorKey): Promise<ListPage<ModelRecord>> {
    return this.store.listModels(viewer, limit, after);
  }

  /** Models the viewer may see whose owner/name or description contains `query` (any case). */
  async search(viewer: string, query: string): Promise<ModelRecord[]> {
    const needle = query.toLowerCase();
    const hits: ModelRecord[] = [];
    let after: CursorKey | undefined;
    for (;;) {
      const page = await this.store.listModels(viewer, 500, after);
      for (const m of page.rows) if (`${m.owner}/${m.name} ${m.description ?? ""}`.toLowerCase().includes(needle)) hits.push(m);
      if (!page.more) return hits;
      const last = page.rows[page.rows.length - 1];
      after = { createdAt: last.createdAt, id: `${last.owner}/${last.name}` };
    }
  }

  /** The README.md of the model's latest version. */
  async readme(viewer: string, owner: string, name: string): Promise<string> {
    const model = await this.get(viewer, owner, name);
    const latest = await this.findLatest(owner, name);
    // From the blob store, not the version's directory: with S3, another replica may have made the version.
    const sha = latest?.files["README.md"];
    if (!sha) throw new AppError("not_found", `${model.owner}/${model.name} has no README.`);
    return readFileSync(await this.blobs.localPath(sha), "utf8");
  }

  /** Replicate's rule: only the owner, and only once the model has no versions. */
  async delete(viewer: string, owner: string, name: string): Promise<void> {
    const model = await this.get(viewer, owner, name);
    if (model.owner !== viewer) throw new AppError("forbidden", "You can only delete models you own.");
    const versions = await this.store.countVersions(owner, name);
    if (versions > 0) {
      throw new AppError("model_has_versions", `${owner}/${name} has ${versions} version(s); delete them first (DELETE .../versions/{id}).`);
    }
    await this.store.deleteModel(owner, name);
    this.changed();
  }

  latestVersion(model: ModelRecord): Promise<VersionRecord | null> {
    return this.findLatest(model.owner, model.name);
  }

  async listVersions(viewer: string, owner: string, name: string, limit: number, after?: CursorKey) {
    await this.get(viewer, owner, name);
    return this.store.listVersions(owner, name, limit, after);
  }

  async getVersion(viewer: string, owner: string, name: string, id: string): Promise<VersionRecord> {
    await this.get(viewer, owner, name);
    const version = await this.store.getVersion(owner, name, id);
    if (!version) throw modelNotFound();
    return version;
  }

  /**
   * Resolves what `POST /v1/predictions` accepts as `version`: a bare 64-hex id, `owner/name:id`,
   * or `owner/name` (its latest version). Anything not found or not visible → 422, as Replicate.
   */
  async resolveVersion(viewer: string, reference: string): Promise<VersionRecord> {
    const invalid = () =>
      new AppError("invalid_version", "The specified version does not exist (or perhaps you don't have permission to use it?)");
    const withModel = /^([^/]+)\/([^/:]+)(?::([0-9a-f]{64}))?$/.exec(reference);
    if (withModel) {
      const [, owner, name, id] = withModel;
      if (!visibleTo(await this.findModel(owner, name), viewer)) throw invalid();
      const version = id ? await this.store.getVersion(owner, name, id) : await this.findLatest(owner, name);
      if (!version) throw invalid();
      return version;
    }
    if (!VERSION_ID.test(reference)) throw invalid();
    // The same content may have been pushed to several models: prefer the viewer's own.
    const candidates = await this.byIdCache.get(reference, () => this.store.findVersionsById(reference));
    let visible: VersionRecord | undefined;
    for (const version of candidates) {
      if (version.owner === viewer) return version;
      if (!visible && visibleTo(await this.findModel(version.owner, version.name), viewer)) visible = version;
    }
    if (!visible) throw invalid();
    return visible;
  }

  async deleteVersion(viewer: string, owner: string, name: string, id: string): Promise<void> {
    const model = await this.get(viewer, owner, name);
    if (model.owner !== viewer) throw new AppError("forbidden", "You can only delete versions of models you own.");
    if (!(await this.store.getVersion(owner, name, id))) throw modelNotFound();
    if (await this.store.versionIsDeployed(`${owner}/${name}`, id)) {
      throw new AppError("conflict", `${owner}/${name}:${id} is the current release of a deployment; update or delete the deployment first.`);
    }
    await this.store.deleteVersion(owner, name, id);
    this.changed();
  }

  /** Whether a version's Output is an iterator (its items are streamed as they come). */
  async hasIteratorOutput(model: string, versionId: string): Promise<boolean> {
    const [owner, name] = model.split("/");
    const version = await this.byIdCache.get(versionId, () => this.store.findVersionsById(versionId));
    const match = version.find((v) => v.owner === owner && v.name === name) ?? version[0];
    const schemas = (match?.openapiSchema.components as { schemas?: Record<string, Record<string, unknown>> } | undefined)?.schemas;
    return schemas?.Output?.["x-cog-array-type"] === "iterator";
  }

  /**
   * Which of these digests the account must still upload. Blobs are shared on disk but owned per
   * account: an account never learns whether another uploaded a file, and pushes only its own.
   */
  async missingBlobs(account: string, digests: string[]): Promise<string[]> {
    const unique = [...new Set(digests)];
    const owned = await this.store.blobsOwnedBy(account, unique);
    const held = await Promise.all(unique.map((sha) => owned.has(sha) && this.blobs.has(sha)));
    return unique.filter((_, i) => !held[i]);
  }

  /** Stores an uploaded file (refused unless its bytes hash to `sha256`) and records its owner. */
  /**
   * A pushed file, streamed to the blob store as it arrives (hashed once, on the way): a 5 GB weight
   * file never sits in memory. Bytes whose sha256 is not the one claimed are refused.
   */
  async uploadBlob(account: string, sha256: string, source: Readable, maxBytes: number): Promise<{ created: boolean; size: number }> {
    const existed = await this.blobs.has(sha256);
    const stored = await this.blobs.ingest(source, {
      maxBytes,
      overLimit: () => new AppError("body_too_large", `The file is larger than this server's limit of ${maxBytes} bytes for a pushed file (SPROCKET_BLOB_LIMIT).`),
      expectSha256: sha256,
      mismatch: (actual) => new AppError("validation_failed", `the uploaded bytes have sha256 ${actual}, not the ${sha256} in the URL`),
    });
    await this.store.addBlobOwner(account, sha256);
    return { created: !existed, size: stored.size };
  }

  /**
   * Turns an uploaded manifest into a version of owner/name (the model must exist and be the
   * viewer's). Idempotent: the same files give the same id, and pushing them again changes nothing.
   */
  async createVersion(
    viewer: string,
    owner: string,
    name: string,
    files: unknown,
  ): Promise<{ version: VersionRecord; created: boolean; notes: string[] }> {
    const model = await this.get(viewer, owner, name);
    if (model.owner !== viewer) throw new AppError("forbidden", "You can only push versions to models you own.");
    const manifest = validateManifest(files);
    const missing = await this.missingBlobs(viewer, Object.values(manifest));
    if (missing.length > 0) {
      throw new AppError("bundle_invalid", `upload these blobs first (PUT /v1/blobs/{sha256}): ${missing.join(", ")}`);
    }
    const id = versionIdOf(manifest);
    const existing = await this.store.getVersion(owner, name, id);
    if (existing) return { version: existing, created: false, notes: [] };

    const config = checkCogYaml(readFileSync(await this.blobs.localPath(manifest["cog.yaml"]), "utf8"));
    const dir = this.versionDir(id);
    const existedElsewhere = (await this.store.findVersionsById(id)).length > 0;
    await materialize(dir, manifest, this.blobs);
    let schema;
    let notes: string[];
    try {
      ({ notes } = await this.prepareEnvironment(dir, config.build, runtimeOf(config.predictor)));
      schema = await this.readSchema(dir).catch((error: Error) => {
        throw new AppError(
          "bundle_invalid",
          `the model could not be loaded (cog.yaml line ${config.predictorLine}: ${config.predictor}): ${error.message}`,
        );
      });
    } catch (error) {
      // A bundle that cannot start leaves nothing behind (unless another model already uses it).
      if (!existedElsewhere) rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const version: VersionRecord = {
      id,
      owner,
      name,
      createdAt: new Date().toISOString(),
      cogVersion: SPROCKET_COG_VERSION,
      openapiSchema: schema.openapiSchema,
      predictor: schema.predictor,
      files: manifest,
    };
    const created = await this.store.insertVersion(version);
    this.changed();
    return { version: created ? version : ((await this.store.getVersion(owner, name, id)) ?? version), created, notes };
  }
}
