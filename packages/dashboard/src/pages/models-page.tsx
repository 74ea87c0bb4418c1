// Models: the account's and public models, a page at a time, and a form to create one.
import { useState, type FormEvent } from "react";
import { useApi } from "../api/context.ts";
import type { Model, Page } from "../api/types.ts";
import { ErrorNote, Loading, PageTitle, formatTime } from "../components/common.tsx";
import { Link, navigate } from "../router.tsx";
import { useLoad } from "../use-load.ts";

export function ModelsPage({ username }: { username: string }) {
  const api = useApi();
  const [page, setPage] = useState<string | undefined>();
  const models = useLoad<Page<Model>>(() => api.models(page), [page]);
  const [creating, setCreating] = useState(false);

  return (
    <>
      <PageTitle
        actions={
          <button type="button" onClick={() => setCreating((c) => !c)} aria-expanded={creating} aria-controls="create-model">
            {creating ? "Close" : "Create a model"}
          </button>
        }
      >
        Models
      </PageTitle>
      {creating ? <CreateModel username={username} /> : null}
      <ErrorNote error={models.error} />
      {!models.data && !models.error ? <Loading /> : null}
      {models.data && models.data.results.length === 0 ? <p>No models yet. Create one, then push a version with <code>sprocket push DIR owner/name</code>.</p> : null}
      <ul className="cards">
        {models.data?.results.map((model) => (
          <li key={`${model.owner}/${model.name}`} className="card model-card">
            <h2>
              <Link href={`/models/${model.owner}/${model.name}`}>
                {model.owner}/{model.name}
              </Link>
            </h2>
            <p>{model.description || <span className="muted">No description.</span>}</p>
            <p className="meta">
              {model.visibility} · {model.run_count} runs · {model.latest_version ? `latest ${formatTime(model.latest_version.created_at)}` : "no versions"}
            </p>
            {model.latest_version ? (
              <Link className="button small" href={`/models/${model.owner}/${model.name}/run`} aria-label={`Run ${model.owner}/${model.name}`}>
                Run
              </Link>
            ) : null}
          </li>
        ))}
      </ul>
      <Pager next={models.data?.next ?? null} onNext={setPage} first={page === undefined} onFirst={() => setPage(undefined)} />
    </>
  );
}

export function Pager({ next, onNext, first, onFirst }: { next: string | null; onNext: (next: string) => void; first: boolean; onFirst: () => void }) {
  if (!next && first) return null;
  return (
    <nav className="pager" aria-label="Pages">
      {!first ? (
        <button type="button" className="secondary" onClick={onFirst}>
          First page
        </button>
      ) : null}
      {next ? (
        <button type="button" className="secondary" onClick={() => onNext(next)}>
          Next page
        </button>
      ) : null}
    </nav>
  );
}

function CreateModel({ username }: { username: string }) {
  const api = useApi();
  const hardware = useLoad(() => api.hardware(), []);
  const [form, setForm] = useState({ owner: username, name: "", visibility: "private", hardware: "", description: "" });
  const [error, setError] = useState<string | null>(null);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const body: Record<string, unknown> = { owner: form.owner, name: form.name, visibility: form.visibility };
      if (form.hardware) body.hardware = form.hardware;
      if (form.description) body.description = form.description;
      const model = await api.createModel(body);
      navigate(`/models/${model.owner}/${model.name}`);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <form id="create-model" className="card form-grid" onSubmit={submit}>
      <h2>New model</h2>
      <div className="field">
        <label htmlFor="model-owner">Owner</label>
        <input id="model-owner" required value={form.owner} onChange={set("owner")} />
      </div>
      <div className="field">
        <label htmlFor="model-name">Name</label>
        <input id="model-name" required pattern="[a-z0-9][a-z0-9_.\-]*" value={form.name} onChange={set("name")} aria-describedby="model-name-hint" />
        <p className="hint" id="model-name-hint">
          Lower-case letters, digits, <code>-</code>, <code>_</code>, <code>.</code>
        </p>
      </div>
      <div className="field">
        <label htmlFor="model-visibility">Visibility</label>
        <select id="model-visibility" value={form.visibility} onChange={set("visibility")}>
          <option value="private">private</option>
          <option value="public">public</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="model-hardware">Hardware</label>
        <select id="model-hardware" value={form.hardware} onChange={set("hardware")}>
          <option value="">(server default)</option>
          {hardware.data?.map((h) => (
            <option key={h.sku} value={h.sku}>
              {h.name} ({h.sku})
            </option>
          ))}
        </select>
      </div>
      <div className="field wide">
        <label htmlFor="model-description">Description</label>
        <textarea id="model-description" rows={2} value={form.description} onChange={set("description")} />
      </div>
      <ErrorNote title="Could not create the model" error={error} />
      <div className="form-actions wide">
        <button type="submit">Create model</button>
      </div>
    </form>
  );
}
