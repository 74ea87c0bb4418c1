// One prediction (also the page its `urls.web` points at, /p/<id>): status and output live while it
// runs, then input, metrics, timeline and webhook deliveries.
import { useCallback, useState } from "react";
import { useApi } from "../api/context.ts";
import type { Prediction } from "../api/types.ts";
import { ErrorNote, Loading, PageTitle, formatDuration, formatSeconds, formatTime } from "../components/common.tsx";
import { PredictionLive } from "../live/prediction-live.tsx";
import { OutputView } from "../output/output-view.tsx";
import { isFileUrl } from "../output/output-kinds.ts";
import { Link } from "../router.tsx";
import { outputDisplay } from "../schema/input-fields.ts";
import { useLoad } from "../use-load.ts";
import { WebhookDeliveries } from "./webhook-deliveries.tsx";

export function PredictionPage({ id }: { id: string }) {
  const api = useApi();
  const loaded = useLoad(async () => {
    const prediction = await api.prediction(id);
    const [owner, name] = prediction.model.split("/");
    const version = await api.version(`${owner}/${name}`, prediction.version).catch(() => null);
    return { prediction, concatenate: version ? outputDisplay(version.openapi_schema).concatenate : false };
  }, [id]);
  const [latest, setLatest] = useState<Prediction | null>(null);
  const onUpdate = useCallback((p: Prediction) => setLatest(p), []);
  const p = latest ?? loaded.data?.prediction;

  return (
    <>
      <PageTitle
        actions={
          p ? (
            <Link className="button" href={p.deployment ? `/deployments/${p.deployment}/run?from=${p.id}` : `/models/${p.model}/run?version=${p.version}&from=${p.id}`}>
              Run again
            </Link>
          ) : null
        }
      >
        Prediction
      </PageTitle>
      <p className="meta">
        <code>{id}</code>
      </p>
      <ErrorNote error={loaded.error} />
      {!loaded.data && !loaded.error ? <Loading /> : null}
      {loaded.data && p ? (
        <div className="prediction-layout">
          <section className="card">
            <PredictionLive prediction={loaded.data.prediction} concatenate={loaded.data.concatenate} onUpdate={onUpdate} />
          </section>
          <section className="card" aria-labelledby="details-heading">
            <h2 id="details-heading">Details</h2>
            <dl className="details">
              <dt>Model</dt>
              <dd>
                <Link href={`/models/${p.model}`}>{p.model}</Link>
              </dd>
              <dt>Version</dt>
              <dd>
                <Link href={`/models/${p.model}/run?version=${p.version}`}>
                  <code>{p.version.slice(0, 12)}</code>
                </Link>
              </dd>
              {p.deployment ? (
                <>
                  <dt>Deployment</dt>
                  <dd>
                    <Link href={`/deployments/${p.deployment}`}>{p.deployment}</Link>
                  </dd>
                </>
              ) : null}
              <dt>Source</dt>
              <dd>{p.source}</dd>
            </dl>
            <h3>Input</h3>
            {p.data_removed ? <p className="muted">Input and output were removed (data retention).</p> : <InputView input={p.input} />}
            <h3>Timeline</h3>
            <ol className="timeline">
              <li>
                <strong>Created</strong> {formatTime(p.created_at)}
              </li>
              <li>
                <strong>Started</strong> {formatTime(p.started_at)}
                {p.started_at ? <span className="muted"> (queued {formatDuration(p.created_at, p.started_at)})</span> : null}
              </li>
              <li>
                <strong>Completed</strong> {formatTime(p.completed_at)}
                {p.completed_at && p.started_at ? <span className="muted"> (ran {formatDuration(p.started_at, p.completed_at)})</span> : null}
              </li>
            </ol>
            <h3>Metrics</h3>
            {Object.keys(p.metrics ?? {}).length === 0 ? (
              <p className="muted">None yet.</p>
            ) : (
              <dl className="details">
                {Object.entries(p.metrics).map(([key, value]) => (
                  <div key={key} className="metric">
                    <dt>{key}</dt>
                    <dd>{key.endsWith("_time") ? formatSeconds(value) : String(value)}</dd>
                  </div>
                ))}
              </dl>
            )}
          </section>
          <section className="card wide" aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">Webhook deliveries</h2>
            <WebhookDeliveries id={id} status={p.status} />
          </section>
        </div>
      ) : null}
    </>
  );
}

/** Each input value: files shown as files (with a preview for media), the rest as JSON. */
function InputView({ input }: { input: Record<string, unknown> }) {
  const entries = Object.entries(input ?? {});
  if (entries.length === 0) return <p className="muted">No input.</p>;
  return (
    <dl className="details input-view">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{isFileUrl(value) && !/\/v1\/files\//.test(value) ? <OutputView output={value} /> : <pre className="inline-json">{typeof value === "string" ? truncate(value) : truncate(JSON.stringify(value, null, 2))}</pre>}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Long values (a data: URI of an image) cut to what is worth reading. */
function truncate(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length.toLocaleString()} characters)` : text;
}
