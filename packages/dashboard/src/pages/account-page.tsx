// Account: who is signed in, scoped API tokens (create — the secret is shown once — and revoke),
// and the webhook signing secret, fetched only when asked for and hidden again on demand.
import { useState, type FormEvent } from "react";
import { useApi } from "../api/context.ts";
import type { Account, ScopedToken } from "../api/types.ts";
import { CopyButton, ErrorNote, Loading, PageTitle, formatTime } from "../components/common.tsx";
import { useLoad } from "../use-load.ts";

const SCOPES = ["predictions.create", "predictions.read", "models.read"];

export function AccountPage({ account }: { account: Account }) {
  const api = useApi();
  const tokens = useLoad(() => api.tokens(), []);
  const [created, setCreated] = useState<ScopedToken | null>(null);
  const [error, setError] = useState<string | null>(null);

  const revoke = async (token: ScopedToken) => {
    if (!window.confirm(`Revoke "${token.name}"? Programs using it stop working at once.`)) return;
    setError(null);
    try {
      await api.revokeToken(token.id);
      tokens.reload();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <>
      <PageTitle>Account</PageTitle>
      <section className="card">
        <p>
          Signed in as <strong>{account.username}</strong> ({account.type}).
        </p>
      </section>
      <h2>API tokens</h2>
      <p className="muted">Scoped tokens: limited to some scopes, models or deployments, with an optional expiry, rate limit and spending cap.</p>
      <CreateToken
        onCreated={(token) => {
          setCreated(token);
          tokens.reload();
        }}
      />
      {created?.token ? (
        <div className="card secret-once" role="status">
          <p>
            <strong>New token “{created.name}”.</strong> Copy it now: it is not shown again.
          </p>
          <p className="secret-row">
            <code className="secret" data-testid="new-token">
              {created.token}
            </code>
            <CopyButton text={created.token} />
          </p>
        </div>
      ) : null}
      <ErrorNote error={tokens.error ?? error} />
      {!tokens.data && !tokens.error ? <Loading /> : null}
      {tokens.data && tokens.data.results.length === 0 ? <p>No scoped tokens.</p> : null}
      {tokens.data && tokens.data.results.length > 0 ? (
        <div className="table-wrap">
          <table className="stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Limited to</th>
                <th scope="col">Expires</th>
                <th scope="col">Spent</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.results.map((t) => (
                <tr key={t.id}>
                  <td data-label="Name">{t.name}</td>
                  <td data-label="Scopes">{t.scopes.join(", ")}</td>
                  <td data-label="Limited to">{[...(t.models ?? []), ...(t.deployments ?? []).map((d) => `${d} (deployment)`)].join(", ") || (t.models === null ? "anything" : "nothing")}</td>
                  <td data-label="Expires">{t.expires_at ? formatTime(t.expires_at) : "never"}</td>
                  <td data-label="Spent">
                    {t.spent_seconds.toFixed(1)} s{t.spending_cap_seconds > 0 ? ` of ${t.spending_cap_seconds} s` : ""}
                  </td>
                  <td>
                    <button type="button" className="danger small" onClick={() => revoke(t)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <h2>Webhook signing secret</h2>
      <WebhookSecret />
    </>
  );
}

function CreateToken({ onCreated }: { onCreated: (token: ScopedToken) => void }) {
  const api = useApi();
  const [form, setForm] = useState({ name: "", scopes: ["predictions.create", "predictions.read"], models: "", deployments: "", expires: "", rate: "", cap: "" });
  const [error, setError] = useState<string | null>(null);
  const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const body: Record<string, unknown> = { scopes: form.scopes };
    if (form.name) body.name = form.name;
    if (form.models.trim()) body.models = list(form.models);
    if (form.deployments.trim()) body.deployments = list(form.deployments);
    if (form.expires) body.expires_at = new Date(form.expires).toISOString();
    if (form.rate) body.rate_limit = Number(form.rate);
    if (form.cap) body.spending_cap_seconds = Number(form.cap);
    try {
      onCreated(await api.createToken(body));
      setForm((f) => ({ ...f, name: "" }));
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <details className="card">
      <summary>Create a token</summary>
      <form className="form-grid" onSubmit={submit}>
        <div className="field">
          <label htmlFor="token-name">Name</label>
          <input id="token-name" value={form.name} onChange={set("name")} placeholder="scoped token" />
        </div>
        <fieldset className="field">
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="check">
              <input
                type="checkbox"
                checked={form.scopes.includes(scope)}
                onChange={(e) => setForm((f) => ({ ...f, scopes: e.target.checked ? [...f.scopes, scope] : f.scopes.filter((s) => s !== scope) }))}
              />
              <span>{scope}</span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="token-models">Only these models</label>
          <input id="token-models" value={form.models} onChange={set("models")} placeholder="owner/name, …" />
        </div>
        <div className="field">
          <label htmlFor="token-deployments">Only these deployments</label>
          <input id="token-deployments" value={form.deployments} onChange={set("deployments")} placeholder="owner/name, …" />
        </div>
        <div className="field">
          <label htmlFor="token-expires">Expires</label>
          <input id="token-expires" type="datetime-local" value={form.expires} onChange={set("expires")} />
        </div>
        <div className="field">
          <label htmlFor="token-rate">Requests per minute</label>
          <input id="token-rate" type="number" min={0} value={form.rate} onChange={set("rate")} placeholder="no limit" />
        </div>
        <div className="field">
          <label htmlFor="token-cap">Spending cap (predict-seconds)</label>
          <input id="token-cap" type="number" min={0} value={form.cap} onChange={set("cap")} placeholder="no cap" />
        </div>
        <ErrorNote title="Could not create the token" error={error} />
        <div className="form-actions wide">
          <button type="submit" disabled={form.scopes.length === 0}>
            Create token
          </button>
        </div>
      </form>
    </details>
  );
}

function WebhookSecret() {
  const api = useApi();
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reveal = async () => {
    setError(null);
    try {
      setSecret((await api.webhookSecret()).key);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <section className="card">
      <p className="muted">Webhooks are signed with this secret (Standard Webhooks); receivers check it with the clients' validateWebhook.</p>
      {secret ? (
        <p className="secret-row">
          <code className="secret" data-testid="webhook-secret">
            {secret}
          </code>
          <CopyButton text={secret} />
          <button type="button" className="secondary small" onClick={() => setSecret(null)}>
            Hide
          </button>
        </p>
      ) : (
        <button type="button" className="secondary" onClick={reveal}>
          Reveal signing secret
        </button>
      )}
      <ErrorNote error={error} />
    </section>
  );
}
