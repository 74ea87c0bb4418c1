// A model: its description and links, its versions (each can be run), and its README.
import { useApi } from "../api/context.ts";
import { ErrorNote, Loading, PageTitle, formatTime, shortId } from "../components/common.tsx";
import { Link } from "../router.tsx";
import { useLoad } from "../use-load.ts";

export function ModelPage({ owner, name }: { owner: string; name: string }) {
  const api = useApi();
  const ref = `${owner}/${name}`;
  const model = useLoad(() => api.model(ref), [ref]);
  const versions = useLoad(() => api.versions(ref), [ref]);
  const readme = useLoad(() => api.readme(ref).catch(() => ""), [ref]);
  const m = model.data;

  return (
    <>
      <PageTitle
        actions={
          m?.latest_version ? (
            <Link className="button" href={`/models/${ref}/run`}>
              Run
            </Link>
          ) : null
        }
      >
        {ref}
      </PageTitle>
      <ErrorNote error={model.error} />
      {!m && !model.error ? <Loading /> : null}
      {m ? (
        <section className="card">
          <p>{m.description || <span className="muted">No description.</span>}</p>
          <p className="meta">
            {m.visibility} · {m.run_count} runs · created {formatTime(m.created_at)}
          </p>
          <Links urls={[["GitHub", m.github_url], ["Paper", m.paper_url], ["License", m.license_url]]} />
        </section>
      ) : null}
      <h2>Versions</h2>
      <ErrorNote error={versions.error} />
      {versions.data && versions.data.results.length === 0 ? (
        <p>
          No versions yet. Push one with <code>sprocket push DIR {ref}</code>.
        </p>
      ) : null}
      {versions.data && versions.data.results.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Created</th>
                <th scope="col">Cog</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {versions.data.results.map((v, i) => (
                <tr key={v.id}>
                  <td>
                    <code title={v.id}>{shortId(v.id)}</code>
                    {i === 0 ? <span className="badge">latest</span> : null}
                  </td>
                  <td>{formatTime(v.created_at)}</td>
                  <td>{v.cog_version}</td>
                  <td>
                    <Link href={`/models/${ref}/run?version=${v.id}`} aria-label={`Run version ${shortId(v.id)}`}>
                      Run
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {readme.data ? (
        <>
          <h2>README</h2>
          <pre className="readme">{readme.data}</pre>
        </>
      ) : null}
    </>
  );
}

function Links({ urls }: { urls: [string, string | null][] }) {
  const present = urls.filter((entry): entry is [string, string] => Boolean(entry[1]));
  if (present.length === 0) return null;
  return (
    <p className="links">
      {present.map(([label, url]) => (
        <a key={label} href={url} rel="noreferrer" target="_blank">
          {label}
        </a>
      ))}
    </p>
  );
}
