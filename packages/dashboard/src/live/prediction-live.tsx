// A prediction as it runs and after: status (announced to screen readers), queue position, elapsed
// time, the output (streamed items while it runs, the final output after), the error in plain words,
// and the logs. Output and logs boxes keep fixed minimum heights so the page does not jump.
import { useEffect, useRef, useState } from "react";
import { useApi } from "../api/context.ts";
import { TERMINAL, type Prediction } from "../api/types.ts";
import { ErrorNote, formatDuration, StatusBadge } from "../components/common.tsx";
import { OutputView } from "../output/output-view.tsx";
import { useLivePrediction } from "./use-live-prediction.ts";

export function PredictionLive({ prediction: initial, concatenate, onUpdate }: { prediction: Prediction; concatenate?: boolean; onUpdate?: (p: Prediction) => void }) {
  const api = useApi();
  const live = useLivePrediction(api, initial);
  const prediction = live.prediction ?? initial;
  const terminal = TERMINAL.has(prediction.status);
  const [canceling, setCanceling] = useState(false);
  useEffect(() => onUpdate?.(prediction), [prediction, onUpdate]);
  const now = useNow(!terminal);

  // While running, the stream's items are the freshest output; once finished, the stored output.
  const output = terminal || live.items.length === 0 ? prediction.output : concatenate || live.items.length > 1 ? live.items : live.items[0];
  const logs = terminal ? prediction.logs : live.logs.length >= prediction.logs.length ? live.logs : prediction.logs;
  const error = prediction.error ?? live.streamError;
  const logsRef = useRef<HTMLPreElement>(null);
  // New log lines keep the box scrolled to the end, unless the reader scrolled up to read.
  useEffect(() => {
    const box = logsRef.current;
    if (box && box.scrollHeight - box.scrollTop - box.clientHeight < 40) box.scrollTop = box.scrollHeight;
  }, [logs]);

  const cancel = async () => {
    setCanceling(true);
    try {
      await api.cancel(prediction.id);
    } finally {
      setCanceling(false);
    }
  };

  return (
    <section className="live" aria-label="Prediction">
      <div className="live-status">
        <span role="status" aria-live="polite">
          <StatusBadge status={prediction.status} />
        </span>
        <span className="muted">
          {terminal ? formatDuration(prediction.created_at, prediction.completed_at) : formatDuration(prediction.created_at, new Date(now).toISOString())}
        </span>
        {prediction.sprocket_queue && prediction.status === "starting" ? (
          <span className="muted">
            queue position {prediction.sprocket_queue.position} ({prediction.sprocket_queue.reason.replace(/_/g, " ")})
          </span>
        ) : null}
        {!terminal ? (
          <button type="button" className="secondary small" onClick={cancel} disabled={canceling}>
            Cancel
          </button>
        ) : null}
      </div>
      {prediction.status === "failed" ? <ErrorNote title="The prediction failed" error={error ?? "No error message was given."} /> : null}
      {prediction.status === "canceled" ? <p className="note">Canceled.</p> : null}
      <h3>Output</h3>
      <OutputView output={output} concatenate={concatenate} placeholder={terminal ? "No output." : "Waiting for output…"} />
      <h3>Logs</h3>
      <pre className="logs" tabIndex={0} aria-label="Logs" ref={logsRef}>
        {logs || (terminal ? "No logs." : "")}
      </pre>
    </section>
  );
}

/** The current time, ticking every 100 ms while `active` (for the elapsed-time display). */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}
