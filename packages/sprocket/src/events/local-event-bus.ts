import type { EventBus, PredictionEvent, Unsubscribe } from "./event-bus.ts";

/** Events within one process (embedded mode): synchronous, in order per channel. */
export class LocalEventBus implements EventBus {
  private readonly channels = new Map<string, Set<(event: PredictionEvent) => void>>();

  publish(channel: string, event: PredictionEvent): void {
    const listeners = this.channels.get(channel);
    if (!listeners) return;
    for (const listener of [...listeners]) listener(event);
  }

  subscribe(channel: string, listener: (event: PredictionEvent) => void): Unsubscribe {
    let listeners = this.channels.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.channels.set(channel, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      // Only this set: a second call after the channel was recreated must not drop new listeners.
      if (listeners.size === 0 && this.channels.get(channel) === listeners) this.channels.delete(channel);
    };
  }

  /** Subscriptions take effect at once here. */
  ready(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.channels.clear();
  }
}
