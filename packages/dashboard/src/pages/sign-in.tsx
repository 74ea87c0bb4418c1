// Sign in with an API token: checked against GET /v1/account before it is kept.
import { useState, type FormEvent } from "react";
import { Api } from "../api/client.ts";
import type { Account } from "../api/types.ts";
import { ErrorNote, PageTitle } from "../components/common.tsx";

export function SignIn({ onSignedIn }: { onSignedIn: (token: string, account: Account, remember: boolean) => void }) {
  const [token, setToken] = useState("");
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const account = await new Api(token.trim()).account();
      onSignedIn(token.trim(), account, remember);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="sign-in">
      <PageTitle>Sign in to Sprocket</PageTitle>
      <form onSubmit={submit} className="card">
        <div className="field">
          <label htmlFor="token">API token</label>
          <input id="token" name="token" type="password" autoComplete="current-password" required value={token} onChange={(e) => setToken(e.target.value)} aria-describedby="token-hint" />
          <p className="hint" id="token-hint">
            <code>npm start</code> prints the admin token and saves it in <code>.sprocket/admin-token</code>; <code>sprocket token create</code> makes
            more. It is sent only to this server, as <code>Authorization: Bearer</code>.
          </p>
        </div>
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
          <span>Stay signed in on this device (otherwise until this tab closes)</span>
        </label>
        <ErrorNote title="Could not sign in" error={error} />
        <div className="form-actions">
          <button type="submit" disabled={busy || token.trim() === ""}>
            {busy ? "Checking…" : "Sign in"}
          </button>
        </div>
      </form>
    </div>
  );
}
