// Follows a prediction while it runs: its stream (urls.stream, server-sent events: `output` items,
// `logs` text, `error`, `done`) shows output item by item and logs as they come; a poll every second
// keeps status, timestamps and metrics current (the stream does not carry them). When it ends, the
// final prediction is read once more and both stop.
import { useEffect, useRef, useState } from "react";
import { TERMINAL, type Prediction } from "../api/types.ts";
import type { Api } from "../api/client.ts";

export interface LiveState {
  prediction: Prediction | null;
  /** Output items received over the stream, in order (strings as sent). */
  items: string[];
  /** Log text received over the stream. */
  logs: string;
  /** The stream's own error event, when the prediction failed. */
  streamError: string | null;
  done: boolean;
}

const POLL_MS = 1000;

export function useLivePrediction(api: Api, initial: Prediction | null): LiveState {
  const [state, setState] = useState<LiveState>({ prediction: initial, items: [], logs: "", streamError: null, done: initial ? TERMINAL.has(initial.status) : false });
  const id = initial?.id;
  const streamUrl = initial?.urls.stream;
  const finished = useRef(false);

  useEffect(() => {
    if (!id) return;
    finished.current = initial ? TERMINAL.has(initial.status) : false;
    setState({ prediction: initial, items: [], logs: "", streamError: null, done: finished.current });
    if (finished.current) return;
    let stopped = false;
    const refresh = async () => {
      try {
        const next = await api.prediction(id);
        if (stopped) return;
        if (TERMINAL.has(next.status)) finish();
        setState((s) => ({ ...s, prediction: next, done: TERMINAL.has(next.status) }));
      } catch {
        // A missed poll is retried on the next tick.
      }
    };
    const timer = setInterval(() => void refresh(), POLL_MS);
    let source: EventSource | null = null;
    if (streamUrl && typeof EventSource !== "undefined") {
      source = new EventSource(streamUrl);
      source.addEventListener("output", (event) => setState((s) => ({ ...s, items: [...s.items, (event as MessageEvent).data] })));
      source.addEventListener("logs", (event) => setState((s) => ({ ...s, logs: s.logs + (event as MessageEvent).data })));
      source.addEventListener("error", (event) => {
        const data = (event as MessageEvent).data;
        if (typeof data === "string") setState((s) => ({ ...s, streamError: data }));
      });
      source.addEventListener("done", () => {
        source?.close();
        void refresh();
      });
    }
    function finish() {
      finished.current = true;
      clearInterval(timer);
      source?.close();
    }
    return () => {
      stopped = true;
      finish();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, streamUrl]);

  return state;
}
