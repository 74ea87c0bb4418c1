// A prediction's webhook deliveries (GET /v1/predictions/:id/webhooks, an extension): one row per
// event with its state, then every attempt with its HTTP status, latency and error; "Redeliver"
// sends the final webhook again once the prediction has finished.
import { useState } from "react";
import { useApi } from "../api/context.ts";
import { TERMINAL } from "../api/types.ts";
import { ErrorNote, formatTime } from "../components/common.tsx";
import { useInterval } from "../router.tsx";
import { useLoad } from "../use-load.ts";

export function WebhookDeliveries({ id, status }: { id: string; status: string }) {
  const api = useApi();
  const log = useLoad(() => api.webhooks(id), [id]);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pending = log.data?.deliveries.some((d) => d.state !== "delivered" && d.state !== "failed") ?? false;
  useInterval(log.reload, 2000, pending || !TERMINAL.has(status));

  const redeliver = async () => {
    setError(null);
    setNote(null);
    try {
      const delivery = await api.redeliver(id);
      setNote(`Redelivery queued (${delivery.event}, ${delivery.state}).`);
      log.reload();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  if (log.error) return <ErrorNote error={log.error} />;
  if (!log.data) return null;
  if (!log.data.webhook) return <p className="muted">This prediction was created without a webhook.</p>;
  return (
    <>
      <p>
        To <code>{log.data.webhook}</code>
        {log.data.webhook_events_filter ? <span className="muted"> · events: {log.data.webhook_events_filter.join(", ")}</span> : null}
      </p>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Deliveries</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">State</th>
              <th scope="col">Attempts</th>
              <th scope="col">Next attempt</th>
            </tr>
          </thead>
          <tbody>
            {log.data.deliveries.map((d) => (
              <tr key={d.webhook_id}>
                <td>{d.event}</td>
                <td>
                  <span className={`badge badge-${d.state}`}>{d.state}</span>
                </td>
                <td>{d.attempts}</td>
                <td>{formatTime(d.next_attempt_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {log.data.results.length > 0 ? (
        <details>
          <summary>Every attempt ({log.data.results.length})</summary>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">#</th>
                  <th scope="col">At</th>
                  <th scope="col">HTTP</th>
                  <th scope="col">Latency</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {log.data.results.map((a) => (
                  <tr key={`${a.webhook_id}-${a.attempt}`}>
                    <td>{a.event}</td>
                    <td>{a.attempt}</td>
                    <td>{formatTime(a.attempted_at)}</td>
                    <td>{a.status ?? "—"}</td>
                    <td>{a.latency_ms === null ? "—" : `${a.latency_ms} ms`}</td>
                    <td>{a.error ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
      <div className="form-actions">
        <button type="button" className="secondary" onClick={redeliver} disabled={!TERMINAL.has(status)}>
          Redeliver final webhook
        </button>
      </div>
      {note ? <p role="status">{note}</p> : null}
      <ErrorNote title="Could not redeliver" error={error} />
    </>
  );
}
