import type { Prediction } from "../protocol/api-types.ts";

/** What happened to a prediction. `prediction` is the state right after the change. */
export type PredictionEvent =
  | { type: "status"; prediction: PredictionSnapshot }
  | { type: "log"; id: string; data: string }
  | { type: "output"; id: string; item: unknown }
  | { type: "cancel_requested"; id: string };

/** A prediction without its URLs (those depend on who asks), with whose it is (never shown). */
export type PredictionSnapshot = Omit<Prediction, "urls"> & { account: string; token_id?: string; kind?: "training" };

export type Unsubscribe = () => void;

export interface EventBus {
  /** Delivers to this process's listeners at once, in order; other processes' (scale-out) soon after, in order. */
  publish(channel: string, event: PredictionEvent): void;
  subscribe(channel: string, listener: (event: PredictionEvent) => void): Unsubscribe;
  /**
   * Resolves once every subscription made so far also receives other processes' events. A reader
   * that subscribes and then reads the current state waits for this in between, so that no change
   * falls between the two.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}
