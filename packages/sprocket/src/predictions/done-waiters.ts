// `Prefer: wait` and cancel's short wait: resolving when a prediction ends, whichever process ends
// it. Split from prediction-service.ts.
import type { EventBus, PredictionSnapshot } from "../events/event-bus.ts";
import { TERMINAL_STATUSES } from "../protocol/api-types.ts";
import type { Store } from "../store/store.ts";
import { toSnapshot } from "./wire.ts";

export class DoneWaiters {
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly events: EventBus,
    private readonly store: Store,
  ) {}

  /**
   * Resolves with the prediction once it is terminal, or null after `timeoutMs`; answered from the
   * status event itself. `held`: this process's record of it, if it holds it; one held elsewhere
   * (scale-out) is read once other processes' events reach this one, so no end falls in between.
   */
  wait(id: string, timeoutMs: number, held: boolean): Promise<PredictionSnapshot | null> {
    return new Promise((resolve) => {
      const settle = (value: PredictionSnapshot | null) => {
        clearTimeout(timer);
        unsubscribe();
        this.waiters.delete(release);
        resolve(value);
      };
      const release = () => settle(null);
      const timer = setTimeout(release, timeoutMs);
      const unsubscribe = this.events.subscribe(id, (event) => {
        if (event.type === "status" && TERMINAL_STATUSES.has(event.prediction.status)) settle(event.prediction);
      });
      this.waiters.add(release);
      if (!held) {
        this.events
          .ready()
          .then(() => this.store.getPrediction(id))
          .then((row) => (!row ? settle(null) : TERMINAL_STATUSES.has(row.status) ? settle(toSnapshot(row)) : undefined), () => {});
      }
    });
  }

  /** Ends every wait now, as if it had timed out (the server is shutting down). */
  releaseAll(): void {
    for (const release of [...this.waiters]) release();
  }
}

/** How long a create waits for the shared queue (Redis) before answering anyway. */
const SHARED_ADD_MS = 2_000;

/**
 * Adds a job to a shared queue (Redis), waiting at most `ms`: the prediction's row is already
 * durable, so a queue that does not answer is not waited for — the add goes out when it is back,
 * or the lost-worker sweep queues the row (a job added twice is one job).
 */
export async function addWithin(add: Promise<void>, id: string, trouble?: (message: string) => void, ms = SHARED_ADD_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  add.catch(() => {});
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
  try {
    if ((await Promise.race([add, late])) === "late") trouble?.(`the shared queue did not answer within ${ms} ms; prediction ${id} is queued when it is back`);
  } catch (error) {
    trouble?.(`the shared queue refused prediction ${id} (${(error as Error).message}); it is queued when the queue is back`);
  } finally {
    clearTimeout(timer);
  }
}
