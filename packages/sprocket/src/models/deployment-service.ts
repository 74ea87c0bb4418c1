import { AppError, validationError } from "../errors/index.ts";
import type { CursorKey } from "../lib/cursor.ts";
import { TtlCache } from "../lib/ttl-cache.ts";
import type { Hardware, InvalidField } from "../protocol/api-types.ts";
import type { DeploymentRecord, DeploymentRelease, ListPage, Store, VersionRecord } from "../store/store.ts";

/** What a release configures; every field is checked by `check` below. */
export interface ReleaseSettings {
  model: string;
  version: string;
  hardware: string;
  minInstances: number;
  maxInstances: number;
}

/**
 * Told whenever a deployment's current release changes (`release` null: deleted), so the worker
 * can resize, roll over or retire that deployment's instance pool.
 */
export type DeploymentListener = (deployment: string, release: DeploymentRelease | null) => void;

const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
/** Replicate's bounds (replicate-api.md §7.2). */
export const MAX_MIN_INSTANCES = 5;
export const MAX_MAX_INSTANCES = 20;
const CACHE_TTL_MS = 5_000;

const notFound = () => new AppError("not_found", "The requested resource could not be found.");

/**
 * Deployments: a name under the caller's account that points at one version of one of its models,
 * with the instance pool to run it on. Every change is a new release (number + 1). Another
 * account's deployment is a 404, as if it did not exist.
 */
export class DeploymentService {
  private readonly listeners: DeploymentListener[] = [];
  // Read on every deployment prediction; cleared on every change this process makes.
  private readonly cache = new TtlCache<DeploymentRecord | null>(CACHE_TTL_MS);
  private readonly versions = new TtlCache<VersionRecord | null>(CACHE_TTL_MS);

  constructor(
    private readonly store: Store,
    private readonly hardware: readonly Hardware[],
  ) {}

  onChange(listener: DeploymentListener): void {
    this.listeners.push(listener);
  }

  all(): Promise<DeploymentRecord[]> {
    return this.store.allDeployments();
  }

  list(viewer: string, limit: number, after?: CursorKey): Promise<ListPage<DeploymentRecord>> {
    return this.store.listDeployments(viewer, limit, after);
  }

  async get(viewer: string, owner: string, name: string): Promise<DeploymentRecord> {
    if (owner !== viewer) throw notFound();
    const deployment = await this.cache.get(`${owner}/${name}`, () => this.store.getDeployment(owner, name));
    if (!deployment) throw notFound();
    return deployment;
  }

  /** The deployment and the version its current release runs (for a prediction on it). */
  async forPrediction(viewer: string, owner: string, name: string): Promise<{ deployment: DeploymentRecord; version: VersionRecord }> {
    const deployment = await this.get(viewer, owner, name);
    const { model, version: id } = deployment.release;
    const version = await this.versions.get(`${model}:${id}`, () => this.store.getVersion(model.split("/")[0], model.split("/")[1], id));
    // Deployed versions cannot be deleted (ModelService.deleteVersion), so this is a stale row.
    if (!version) throw new AppError("invalid_version", `The version ${id} of ${model} that ${owner}/${name} runs no longer exists; update the deployment.`);
    return { deployment, version };
  }

  async create(viewer: string, name: string, settings: ReleaseSettings): Promise<DeploymentRecord> {
    const problems: InvalidField[] = [];
    if (!NAME.test(name)) {
      problems.push({ type: "pattern", field: "name", description: "name must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit" });
    }
    problems.push(...(await this.check(viewer, settings)));
    if (problems.length > 0) throw validationError(problems);
    const now = new Date().toISOString();
    const deployment: DeploymentRecord = { owner: viewer, name, createdAt: now, release: await this.release(viewer, 1, settings, now) };
    if (!(await this.store.insertDeployment(deployment))) {
      throw new AppError("conflict", `A deployment named ${viewer}/${name} already exists.`);
    }
    this.changed(deployment.owner, deployment.name, deployment.release);
    return deployment;
  }

  /**
   * Applies `change` over the current release. A change that alters nothing makes no release;
   * anything else makes release number + 1. Two concurrent updates cannot both become the same
   * number: the loser is a 409 and may retry.
   */
  async update(viewer: string, owner: string, name: string, change: Partial<ReleaseSettings>): Promise<DeploymentRecord> {
    const current = await this.get(viewer, owner, name);
    const settings: ReleaseSettings = { ...releaseSettings(current.release), ...definedOnly(change) };
    // A new version without a model is a version of the deployed model.
    const problems = await this.check(viewer, settings);
    if (problems.length > 0) throw validationError(problems);
    if (sameSettings(settings, releaseSettings(current.release))) return current;
    const release = await this.release(viewer, current.release.number + 1, settings, new Date().toISOString());
    if (!(await this.store.replaceDeploymentRelease(owner, name, release))) {
      this.cache.clear();
      throw new AppError("conflict", `${owner}/${name} was changed or deleted by another request at the same time; read it again and retry.`);
    }
    this.changed(owner, name, release);
    return { ...current, release };
  }

  async delete(viewer: string, owner: string, name: string): Promise<void> {
    await this.get(viewer, owner, name);
    if (!(await this.store.deleteDeployment(owner, name))) throw notFound();
    this.changed(owner, name, null);
  }

  /** Field-by-field problems with a release's settings (the caller's own model and version only). */
  private async check(viewer: string, s: ReleaseSettings): Promise<InvalidField[]> {
    const problems: InvalidField[] = [];
    if (!this.hardware.some((h) => h.sku === s.hardware)) {
      const skus = this.hardware.map((h) => `"${h.sku}"`).join(", ");
      problems.push({ type: "enum", field: "hardware", description: `hardware must be one of the following (GET /v1/hardware): ${skus}` });
    }
    if (s.minInstances > s.maxInstances) {
      problems.push({ type: "number_lte", field: "min_instances", description: `min_instances (${s.minInstances}) must not be more than max_instances (${s.maxInstances})` });
    }
    const model = /^([^/]+)\/([^/]+)$/.exec(s.model);
    if (!model || model[1] !== viewer || !(await this.store.getModel(model[1], model[2]))) {
      problems.push({ type: "invalid_model", field: "model", description: `model must be "owner/name" of one of your own models; "${s.model}" is not` });
    } else if (!(await this.store.getVersion(model[1], model[2], s.version))) {
      problems.push({ type: "invalid_version", field: "version", description: `${s.model} has no version "${s.version}"` });
    }
    return problems;
  }

  private async release(viewer: string, number: number, s: ReleaseSettings, now: string): Promise<DeploymentRelease> {
    const account = await this.store.getAccount(viewer);
    return {
      number,
      ...s,
      createdAt: now,
      createdBy: { type: account?.type ?? "user", username: viewer, name: account?.name ?? viewer },
    };
  }

  private changed(owner: string, name: string, release: DeploymentRelease | null): void {
    this.cache.clear();
    for (const listener of this.listeners) listener(`${owner}/${name}`, release);
  }
}

function releaseSettings(r: DeploymentRelease): ReleaseSettings {
  return { model: r.model, version: r.version, hardware: r.hardware, minInstances: r.minInstances, maxInstances: r.maxInstances };
}

function sameSettings(a: ReleaseSettings, b: ReleaseSettings): boolean {
  return a.model === b.model && a.version === b.version && a.hardware === b.hardware && a.minInstances === b.minInstances && a.maxInstances === b.maxInstances;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
