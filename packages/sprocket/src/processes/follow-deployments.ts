import type { DeploymentService } from "../models/deployment-service.ts";
import type { DeploymentRelease } from "../store/store.ts";

/** How often a scale-out worker host re-reads deployments (a change made through another replica reaches it within this). */
const FOLLOW_EVERY_MS = 3_000;

/**
 * In scale-out, a deployment created or changed through another API replica is seen here by
 * reading them all every few seconds and passing on each new release (or deletion), as
 * `onChange` does for changes made through this replica. Returns a stop function.
 */
export function followDeployments(
  deployments: DeploymentService,
  apply: (name: string, release: DeploymentRelease | null) => void,
  log: (message: string) => void,
): () => void {
  const known = new Map<string, number>();
  let first = true;
  const read = async () => {
    const seen = new Set<string>();
    for (const d of await deployments.all()) {
      const name = `${d.owner}/${d.name}`;
      seen.add(name);
      if (known.get(name) !== d.release.number) {
        known.set(name, d.release.number);
        // The first read only learns what the start already applied.
        if (!first) apply(name, d.release);
      }
    }
    for (const name of known.keys()) {
      if (!seen.has(name)) {
        known.delete(name);
        apply(name, null);
      }
    }
    first = false;
  };
  void read().catch(() => {});
  const timer = setInterval(() => void read().catch((error: Error) => log(`deployments could not be re-read: ${error.message}`)), FOLLOW_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
