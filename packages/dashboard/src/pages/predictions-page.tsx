// Predictions: the account's history, newest first, a server page (100) at a time. The status
// filter is the server's (`GET /v1/predictions?status=`, a Sprocket extension), so "failed" pages
// through every failed prediction.
import { useState } from "react";
import { useApi } from "../api/context.ts";
import type { Page, Prediction } from "../api/types.ts";
import { ErrorNote, Loading, PageTitle, StatusBadge, formatDuration, formatTime } from "../components/common.tsx";
import { Link, navigate, useLocation } from "../router.tsx";
import { useLoad } from "../use-load.ts";
import { Pager } from "./models-page.tsx";

const STATUSES = ["all", "starting", "processing", "succeeded", "failed", "canceled"];

export function PredictionsPage() {
  const api = useApi();
  const { query } = useLocation();
  const status = query.get("status") ?? "all";
  const [page, setPage] = useState<string | undefined>();
  const predictions = useLoad<Page<Prediction>>(() => api.predictions(page, status === "all" ? undefined : status), [page, status]);
  const rows = predictions.data?.results ?? [];

  return (
    <>
      <PageTitle
        actions={
          <button type="button" className="secondary" onClick={predictions.reload}>
            Refresh
          </button>
        }
      >
        Predictions
      </PageTitle>
      <div className="filters">
        <label htmlFor="status-filter">Status</label>
        <select id="status-filter" value={status} onChange={(e) => (setPage(undefined), navigate(e.target.value === "all" ? "/predictions" : `/predictions?status=${e.target.value}`, { replace: true }))}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={predictions.error} />
      {!predictions.data && !predictions.error ? <Loading /> : null}
      {predictions.data && rows.length === 0 ? <p>No predictions{status !== "all" ? ` with status ${status}` : ""}.</p> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="predictions stack">
            <thead>
              <tr>
                <th scope="col">Prediction</th>
                <th scope="col">Model</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Took</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id}>
                  <td data-label="Prediction">
                    <Link href={`/p/${p.id}`}>
                      <code>{p.id}</code>
                    </Link>
                  </td>
                  <td data-label="Model">{p.deployment ? `${p.deployment} (deployment)` : p.model}</td>
                  <td data-label="Status">
                    <StatusBadge status={p.status} />
                  </td>
                  <td data-label="Created">{formatTime(p.created_at)}</td>
                  <td data-label="Took">{formatDuration(p.created_at, p.completed_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager next={predictions.data?.next ?? null} onNext={setPage} first={page === undefined} onFirst={() => setPage(undefined)} />
    </>
  );
}
