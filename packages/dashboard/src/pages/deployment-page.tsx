// One deployment: its release (edit version, hardware, min/max instances), and its pool live —
// each instance's state, version, running predictions and setup time, and the queue depth —
// refreshed every 2 s.
import { useState, type FormEvent } from "react";
import { useApi } from "../api/context.ts";
import type { Deployment } from "../api/types.ts";
import { ErrorNote, Loading, PageTitle, formatSeconds, formatTime, shortId } from "../components/common.tsx";
import { Link, useInterval } from "../router.tsx";
import { useLoad } from "../use-load.ts";
import { ReleaseFields, type ReleaseForm } from "./release-fields.tsx";

export function DeploymentPage({ owner, name }: { owner: string; name: string }) {
  const api = useApi();
  const ref = `${owner}/${name}`;
  const deployment = useLoad(() => api.deployment(ref), [ref]);
  useInterval(deployment.reload, 2000);
  const d = deployment.data;

  return (
    <>
      <PageTitle
        actions={
          <Link className="button" href={`/deployments/${ref}/run`}>
            Run
          </Link>
        }
      >
        {ref}
      </PageTitle>
      <ErrorNote error={deployment.error} />
      {!d && !deployment.error ? <Loading /> : null}
      {d ? (
        <div className="prediction-layout">
          <section className="card" aria-labelledby="pool-heading">
            <h2 id="pool-heading">Instances</h2>
            <Pool deployment={d} />
          </section>
          <section className="card" aria-labelledby="release-heading">
            <h2 id="release-heading">Release {d.current_release.number}</h2>
            <p className="meta">
              <Link href={`/models/${d.current_release.model}`}>{d.current_release.model}</Link> <code>{shortId(d.current_release.version)}</code> · by{" "}
              {d.current_release.created_by.username} · {formatTime(d.current_release.created_at)}
            </p>
            <EditRelease deployment={d} onSaved={deployment.set} />
          </section>
        </div>
      ) : null}
    </>
  );
}

function Pool({ deployment }: { deployment: Deployment }) {
  const pool = deployment.sprocket_pool;
  if (!pool) return <p className="muted">No worker runs in this server process, so its instances are not shown here.</p>;
  return (
    <>
      <p className="pool-summary" role="status">
        <strong>{pool.instances.length}</strong> instance{pool.instances.length === 1 ? "" : "s"} · <strong>{pool.queue_depth}</strong> waiting in the queue
      </p>
      {pool.instances.length === 0 ? (
        <p className="muted">None running: the next prediction starts one (cold start), or raise min instances to keep one warm.</p>
      ) : (
        <div className="table-wrap">
          <table className="stack">
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Version</th>
                <th scope="col">Running</th>
                <th scope="col">Setup</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {pool.instances.map((instance, i) => (
                <tr key={`${instance.started_at}-${i}`}>
                  <td data-label="State">
                    <span className={`badge badge-${instance.state}`}>{instance.state}</span>
                  </td>
                  <td data-label="Version">
                    <code>{shortId(instance.version)}</code>
                  </td>
                  <td data-label="Running">{instance.running}</td>
                  <td data-label="Setup">{instance.setup_time === null ? "—" : formatSeconds(instance.setup_time)}</td>
                  <td data-label="Started">{formatTime(instance.started_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function EditRelease({ deployment, onSaved }: { deployment: Deployment; onSaved: (d: Deployment) => void }) {
  const api = useApi();
  const r = deployment.current_release;
  const [form, setForm] = useState<ReleaseForm>({
    model: r.model,
    version: r.version,
    hardware: r.configuration.hardware,
    min: String(r.configuration.min_instances),
    max: String(r.configuration.max_instances),
  });
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      const body = { version: form.version, hardware: form.hardware, min_instances: Number(form.min), max_instances: Number(form.max) };
      onSaved(await api.updateDeployment(`${deployment.owner}/${deployment.name}`, body));
      setSaved(true);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <form className="form-grid" onSubmit={submit} aria-label="Edit release">
      <ReleaseFields value={form} onChange={setForm} chooseModel={false} />
      <ErrorNote title="Could not save" error={error} />
      <div className="form-actions wide">
        <button type="submit">Save as a new release</button>
        {saved ? <span role="status">Saved.</span> : null}
      </div>
    </form>
  );
}
