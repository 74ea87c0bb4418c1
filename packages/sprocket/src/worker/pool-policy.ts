import { TRAINING_POOL, parsePoolKey } from "../queue/queue.ts";

/** How many instances a pool keeps warm and may run, and whether it is being wound down. */
export interface PoolPolicy {
  /** Instances kept running even when idle (started at once, replaced when one dies). */
  min: number;
  /** Instances that may run at once (starting and stopping ones count). */
  max: number;
  /**
   * The pool's deployment now runs another version, or was deleted: work already queued or
   * running here still finishes, but idle instances stop at once and none are kept warm.
   */
  retiring: boolean;
}

/** A deployment's current release, as far as its pool cares. */
export interface DeploymentTarget {
  version: string;
  /** The sku its instances run on (see gpu-devices.ts). */
  hardware: string;
  minInstances: number;
  maxInstances: number;
}

/**
 * The policy of pool `key`: a version's shared pool scales between 0 and `instancesPerVersion`;
 * a deployment's pool for its current version follows the release's min/max; a deployment's pool
 * for any other version (or of a deleted deployment) retires, keeping `previousMax` (at least 1)
 * so what is queued there still drains.
 */
export function policyFor(key: string, deployments: ReadonlyMap<string, DeploymentTarget>, instancesPerVersion: number, previousMax = 1): PoolPolicy {
  const { versionId, deployment } = parsePoolKey(key);
  if (deployment === null) return { min: 0, max: instancesPerVersion, retiring: false };
  if (deployment === TRAINING_POOL) return { min: 0, max: 1, retiring: false };
  const target = deployments.get(deployment);
  if (target && target.version === versionId) return { min: target.minInstances, max: target.maxInstances, retiring: false };
  return { min: 0, max: Math.max(1, previousMax), retiring: true };
}
