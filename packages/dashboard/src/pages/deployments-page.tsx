// Deployments: each with its release, instance counts and queue depth (refreshed every 3 s), and a
// form to create one from a model's version.
import { useState, type FormEvent } from "react";
import { useApi } from "../api/context.ts";
import { ErrorNote, Loading, PageTitle, shortId } from "../components/common.tsx";
import { Link, navigate, useInterval } from "../router.tsx";
import { useLoad } from "../use-load.ts";
import { ReleaseFields, type ReleaseForm } from "./release-fields.tsx";

export function DeploymentsPage({ username }: { username: string }) {
  const api = useApi();
  const deployments = useLoad(() => api.deployments(), []);
  useInterval(deployments.reload, 3000);
  const [creating, setCreating] = useState(false);

  return (
    <>
      <PageTitle
        actions={
          <button type="button" onClick={() => setCreating((c) => !c)} aria-expanded={creating} aria-controls="create-deployment">
            {creating ? "Close" : "Create a deployment"}
          </button>
        }
      >
        Deployments
      </PageTitle>
      {creating ? <CreateDeployment username={username} /> : null}
      <ErrorNote error={deployments.error} />
      {!deployments.data && !deployments.error ? <Loading /> : null}
      {deployments.data && deployments.data.results.length === 0 ? <p>No deployments yet.</p> : null}
      {deployments.data && deployments.data.results.length > 0 ? (
        <div className="table-wrap">
          <table className="stack">
            <thead>
              <tr>
                <th scope="col">Deployment</th>
                <th scope="col">Model</th>
                <th scope="col">Instances (min–max)</th>
                <th scope="col">Running now</th>
                <th scope="col">Queue</th>
              </tr>
            </thead>
            <tbody>
              {deployments.data.results.map((d) => {
                const c = d.current_release.configuration;
                return (
                  <tr key={d.name}>
                    <td data-label="Deployment">
                      <Link href={`/deployments/${d.owner}/${d.name}`}>
                        {d.owner}/{d.name}
                      </Link>
                    </td>
                    <td data-label="Model">
                      {d.current_release.model} <code>{shortId(d.current_release.version)}</code>
                    </td>
                    <td data-label="Instances (min–max)">
                      {c.min_instances}–{c.max_instances}
                    </td>
                    <td data-label="Running now">{d.sprocket_pool ? d.sprocket_pool.instances.length : "—"}</td>
                    <td data-label="Queue">{d.sprocket_pool ? d.sprocket_pool.queue_depth : "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

function CreateDeployment({ username }: { username: string }) {
  const api = useApi();
  const [name, setName] = useState("");
  const [release, setRelease] = useState<ReleaseForm>({ model: "", version: "", hardware: "cpu", min: "0", max: "1" });
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const d = await api.createDeployment({
        name,
        model: release.model,
        version: release.version,
        hardware: release.hardware,
        min_instances: Number(release.min),
        max_instances: Number(release.max),
      });
      navigate(`/deployments/${d.owner}/${d.name}`);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <form id="create-deployment" className="card form-grid" onSubmit={submit}>
      <h2>New deployment</h2>
      <div className="field">
        <label htmlFor="deployment-name">Name</label>
        <input id="deployment-name" required value={name} onChange={(e) => setName(e.target.value)} aria-describedby="deployment-name-hint" />
        <p className="hint" id="deployment-name-hint">
          Called as <code>{username}/{name || "NAME"}</code>
        </p>
      </div>
      <ReleaseFields value={release} onChange={setRelease} chooseModel />
      <ErrorNote title="Could not create the deployment" error={error} />
      <div className="form-actions wide">
        <button type="submit">Create deployment</button>
      </div>
    </form>
  );
}
