import type { Hardware } from "../protocol/api-types.ts";
import type { Store } from "../store/store.ts";

const FOLLOW_EVERY_MS = 3_000;

/**
 * The hardware models and deployments may ask for is this host's plus every worker host's: an API
 * replica has no GPU, its workers do. Every few seconds the SKUs live workers report are added to
 * `hardware` (the list GET /v1/hardware shows and creates are checked against; a SKU stays listed
 * once seen, so a model keeps valid hardware while its hosts restart). Returns a stop function.
 */
export function followWorkerHardware(store: Store, hardware: Hardware[], log: (message: string) => void): () => void {
  const read = async () => {
    for (const worker of await store.listWorkers()) {
      for (const sku of worker.hardware) {
        if (hardware.some((h) => h.sku === sku)) continue;
        hardware.push({ sku, name: sku.startsWith("gpu-") ? `Nvidia ${sku.slice(4).toUpperCase().replace(/-/g, " ")} GPU` : sku });
        log(`hardware ${sku} is available (worker ${worker.name})`);
      }
    }
  };
  void read().catch(() => {});
  const timer = setInterval(() => void read().catch(() => {}), FOLLOW_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
