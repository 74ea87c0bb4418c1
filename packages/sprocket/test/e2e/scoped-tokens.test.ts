// Scoped tokens (extension, README "Scoped tokens"): made with POST /v1/tokens, used with the
// official client like any token, refused with 403 naming what is missing outside their scope,
// 401 once expired or revoked, limited in rate and predict-seconds, and every refusal audited.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { cli } from "./cli-run.ts";
import { api, clientFor, pushFixture, startServer, statusOf, type TestServer } from "./harness.ts";

describe("scoped tokens", () => {
  let server: TestServer;
  let echoVersion: string;
  let slowVersion: string;

  before(async () => {
    server = await startServer({ env: { SPROCKET_EXAMPLES: "false" } });
    echoVersion = await pushFixture(server, "echo", "admin/echo");
    slowVersion = await pushFixture(server, "slow", "admin/slow");
  });
  after(() => server?.stop());

  const createToken = async (body: Record<string, unknown>) => {
    const created = await api(server.url, "/v1/tokens", { token: server.token, body: JSON.stringify(body) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { id: string; token: string };
  };

  test("a token for one model runs it and reads its own predictions, and nothing else", async () => {
    const { token } = await createToken({ name: "echo app", scopes: ["predictions.create", "predictions.read"], models: ["admin/echo"] });
    const scoped = clientFor(server.url, token);
    const output = await scoped.run(`admin/echo:${echoVersion}`, { input: { word: "beta" } });
    assert.deepEqual(output, { word: "beta", count: 3, ratio: 0.5, loud: false });
    const mine = await scoped.predictions.create({ version: echoVersion, input: { word: "alpha" } });
    assert.equal((await scoped.predictions.get(mine.id)).id, mine.id);

    // The account's own prediction (made with the full token) is not this token's to read.
    const theirs = await server.client.predictions.create({ version: echoVersion, input: { word: "gamma" } });
    assert.equal(await statusOf(scoped.predictions.get(theirs.id)), 404);
    assert.equal(await statusOf(scoped.predictions.cancel(theirs.id)), 404);
    const listed = (await scoped.predictions.list()).results.map((p) => p.id);
    assert.ok(listed.includes(mine.id) && !listed.includes(theirs.id), JSON.stringify(listed));

    // Another model, by URL or by version: 403 naming the model.
    const other = await api(server.url, "/v1/models/admin/slow/predictions", { token, body: JSON.stringify({ input: {} }) });
    assert.equal(other.status, 403);
    assert.match(other.body.detail, /may not use the model admin\/slow; it may use admin\/echo/);
    const byVersion = await api(server.url, "/v1/predictions", { token, body: JSON.stringify({ version: slowVersion, input: {} }) });
    assert.equal(byVersion.status, 403);
    // A scope it lacks, and a route only full tokens may use: 403 naming what is missing.
    const read = await api(server.url, "/v1/models/admin/echo", { token });
    assert.equal(read.status, 403);
    assert.match(read.body.detail, /needs the scope "models.read"/);
    const manage = await api(server.url, "/v1/tokens", { token });
    assert.equal(manage.status, 403);
    assert.match(manage.body.detail, /needs a full account token/);
  });

  test("an expired token is a 401; bad requests for tokens are 422s naming the field", async () => {
    const { token } = await createToken({ scopes: ["models.read"], expires_at: new Date(Date.now() + 1500).toISOString() });
    assert.equal((await api(server.url, "/v1/models/admin/echo", { token })).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const expired = await api(server.url, "/v1/models/admin/echo", { token });
    assert.equal(expired.status, 401);
    assert.match(expired.body.detail, /expired/);

    const bad = await api(server.url, "/v1/tokens", {
      token: server.token,
      body: JSON.stringify({ scopes: ["predictions.create", "admin"], expires_at: "2020-01-01T00:00:00Z", models: ["not a model"] }),
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.invalid_fields.map((f: { field: string }) => f.field).sort(), ["expires_at", "models", "scopes"]);
  });

  test("revoked, the token stops working; creation, revocation and refusals are in the audit log", async () => {
    const { id, token } = await createToken({ name: "short-lived", scopes: ["models.read"] });
    assert.equal((await api(server.url, "/v1/tokens", { token: server.token })).body.results.some((t: { id: string; token?: string }) => t.id === id && !t.token), true);
    assert.equal((await api(server.url, "/v1/deployments", { token })).status, 403);
    assert.equal((await api(server.url, `/v1/tokens/${id}`, { method: "DELETE", token: server.token })).status, 204);
    assert.equal((await api(server.url, "/v1/models/admin/echo", { token })).status, 401);
    assert.equal((await api(server.url, `/v1/tokens/${id}`, { method: "DELETE", token: server.token })).status, 404);

    const audit = (await api(server.url, "/v1/audit", { token: server.token })).body.results as { action: string; token_id: string; detail: string; ip: string }[];
    const mine = audit.filter((e) => e.token_id === id).map((e) => e.action);
    assert.deepEqual(mine, ["token.revoked", "token.refused", "token.created"]);
    const refused = audit.find((e) => e.token_id === id && e.action === "token.refused")!;
    assert.match(refused.detail, /GET \/v1\/deployments/);
    assert.match(refused.ip, /127\.0\.0\.1/);
  });

  test("a per-token rate limit and a spending cap in predict-seconds", async () => {
    const limited = await createToken({ scopes: ["models.read"], rate_limit: 2 });
    for (let i = 0; i < 2; i++) assert.equal((await api(server.url, "/v1/models/admin/echo", { token: limited.token })).status, 200);
    assert.equal((await api(server.url, "/v1/models/admin/echo", { token: limited.token })).status, 429);

    const capped = await createToken({ scopes: ["predictions.create"], models: ["admin/slow"], spending_cap_seconds: 0.1 });
    const first = await api(server.url, "/v1/models/admin/slow/predictions", { token: capped.token, headers: { prefer: "wait" }, body: JSON.stringify({ input: { ms: 200 } }) });
    assert.equal(first.body.status, "succeeded", JSON.stringify(first.body));
    const second = await api(server.url, "/v1/models/admin/slow/predictions", { token: capped.token, body: JSON.stringify({ input: { ms: 1 } }) });
    assert.equal(second.status, 403);
    assert.match(second.body.detail, /spending cap of 0.1 predict-seconds is used up/);
  });

  test("the CLI creates, lists and revokes scoped tokens", async () => {
    const env = { SPROCKET_API_TOKEN: server.token };
    const made = await cli(["token", "create", "--scope", "predictions.create", "--model", "admin/echo", "--name", "cli-made", "--server", server.url], { env });
    assert.equal(made.code, 0, made.stderr);
    const secret = made.stdout.trim().split("\n").at(-1)!;
    const run = await api(server.url, "/v1/models/admin/echo/predictions", { token: secret, headers: { prefer: "wait" }, body: JSON.stringify({ input: { word: "alpha" } }) });
    assert.equal(run.body.status, "succeeded", JSON.stringify(run.body));
    const id = /created scoped token (tok_\S+)/.exec(made.stderr)![1];
    const listed = await cli(["token", "list", "--json", "--server", server.url], { env });
    assert.ok(JSON.parse(listed.stdout).results.some((t: { id: string }) => t.id === id));
    assert.equal((await cli(["token", "revoke", id, "--server", server.url], { env })).code, 0);
    const unknownScope = await cli(["token", "create", "--scope", "everything", "--server", server.url], { env });
    assert.notEqual(unknownScope.code, 0);
    assert.match(unknownScope.stderr, /unknown scope "everything"/);
  });
});
