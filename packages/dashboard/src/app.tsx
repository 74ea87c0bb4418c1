// The shell: sign-in gate, navigation, and which page a path shows.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { Api } from "./api/client.ts";
import { ApiContext } from "./api/context.ts";
import type { Account } from "./api/types.ts";
import { ErrorNote, Loading, PageTitle } from "./components/common.tsx";
import { AccountPage } from "./pages/account-page.tsx";
import { DeploymentPage } from "./pages/deployment-page.tsx";
import { DeploymentsPage } from "./pages/deployments-page.tsx";
import { ModelPage } from "./pages/model-page.tsx";
import { ModelsPage } from "./pages/models-page.tsx";
import { PredictionPage } from "./pages/prediction-page.tsx";
import { PredictionsPage } from "./pages/predictions-page.tsx";
import { RunPage } from "./pages/run-page.tsx";
import { SignIn } from "./pages/sign-in.tsx";
import { Link, match, navigate, useLocation } from "./router.tsx";
import { clearToken, loadToken, saveToken } from "./session.ts";

const NAV = [
  ["/models", "Models"],
  ["/predictions", "Predictions"],
  ["/deployments", "Deployments"],
  ["/account", "Account"],
] as const;

export function App() {
  const [token, setToken] = useState<string | null>(() => loadToken());
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState<string | null>(null);
  const api = useMemo(() => (token ? new Api(token) : null), [token]);

  useEffect(() => {
    if (!api || account) return;
    api.account().then(setAccount, (failure: Error) => setError(failure.message));
  }, [api, account]);

  const signOut = useCallback(() => {
    clearToken();
    setToken(null);
    setAccount(null);
    setError(null);
    navigate("/", { replace: true });
  }, []);

  if (!api) {
    return (
      <Shell>
        <SignIn
          onSignedIn={(t, a, remember) => {
            saveToken(t, remember);
            setAccount(a);
            setToken(t);
          }}
        />
      </Shell>
    );
  }
  if (!account) {
    return (
      <Shell onSignOut={signOut}>
        {error ? <ErrorNote title="Could not load your account" error={`${error} Sign out and sign in again with a valid token.`} /> : <Loading />}
      </Shell>
    );
  }
  return (
    <ApiContext.Provider value={api}>
      <Shell account={account} onSignOut={signOut}>
        <Routes account={account} />
      </Shell>
    </ApiContext.Provider>
  );
}

function Shell({ account, onSignOut, children }: { account?: Account; onSignOut?: () => void; children: ReactNode }) {
  const { path } = useLocation();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/models" className="brand">
          Sprocket
        </Link>
        {account ? (
          <nav aria-label="Main">
            <ul>
              {NAV.map(([href, label]) => (
                <li key={href}>
                  <Link href={href} aria-current={path.startsWith(href) || (href === "/predictions" && path.startsWith("/p/")) ? "page" : undefined}>
                    {label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        {onSignOut ? (
          <div className="who">
            {account ? <span className="muted">{account.username}</span> : null}
            <button type="button" className="secondary small" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <main id="main">{children}</main>
    </>
  );
}

function Routes({ account }: { account: Account }) {
  const { path, query } = useLocation();
  let params: Record<string, string> | null;
  if (path === "/" || path === "/models") return <ModelsPage username={account.username} />;
  if ((params = match("/models/:owner/:name", path))) return <ModelPage key={path} owner={params.owner} name={params.name} />;
  if ((params = match("/models/:owner/:name/run", path))) {
    const target = { kind: "model" as const, model: `${params.owner}/${params.name}`, version: query.get("version") ?? undefined };
    return <RunPage key={`${path}?${query}`} target={target} from={query.get("from") ?? undefined} />;
  }
  if (path === "/predictions") return <PredictionsPage />;
  if ((params = match("/p/:id", path)) || (params = match("/predictions/:id", path))) return <PredictionPage key={params.id} id={params.id} />;
  if (path === "/deployments") return <DeploymentsPage username={account.username} />;
  if ((params = match("/deployments/:owner/:name", path))) return <DeploymentPage key={path} owner={params.owner} name={params.name} />;
  if ((params = match("/deployments/:owner/:name/run", path))) {
    return <RunPage key={`${path}?${query}`} target={{ kind: "deployment", deployment: `${params.owner}/${params.name}` }} from={query.get("from") ?? undefined} />;
  }
  if (path === "/account") return <AccountPage account={account} />;
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p>
        Nothing lives at <code>{path}</code>. <Link href="/models">Go to the models</Link>.
      </p>
    </>
  );
}
