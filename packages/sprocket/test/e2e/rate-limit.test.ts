// Per-token rate limits (SPROCKET_RATE_LIMIT_OTHER / _CREATES). Plain fetch: the official client
// retries 429s by itself, which would hide the answer this file is about.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { api, createUserToken, startServer, type TestServer } from "./harness.ts";

describe("rate limits", () => {
  let server: TestServer;

  before(async () => {
    server = await startServer({ env: { SPROCKET_RATE_LIMIT_OTHER: "5", SPROCKET_RATE_LIMIT_CREATES: "2" } });
  });
  after(() => server?.stop());

  test("with SPROCKET_RATE_LIMIT_OTHER=5 the sixth GET in a minute gets 429 with an integer Retry-After", async () => {
    const token = await createUserToken(server.dataDir, "reader");
    for (let i = 1; i <= 5; i++) {
      assert.equal((await api(server.url, "/v1/account", { token })).status, 200, `request ${i}`);
    }
    const limited = await api(server.url, "/v1/predictions", { token });
    assert.equal(limited.status, 429);
    const retryAfter = limited.headers.get("retry-after");
    assert.match(retryAfter ?? "", /^\d+$/, `Retry-After is whole seconds: ${retryAfter}`);
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, retryAfter!);
    assert.match(limited.headers.get("content-type") ?? "", /^application\/problem\+json/);
    assert.equal(limited.body.status, 429);
    assert.match(limited.body.detail, /throttled/i);
  });

  test("the limit is per token: another user's GETs still pass", async () => {
    const token = await createUserToken(server.dataDir, "other-reader");
    assert.equal((await api(server.url, "/v1/account", { token })).status, 200);
  });

  test("prediction creates have their own limit (SPROCKET_RATE_LIMIT_CREATES=2), separate from other requests", async () => {
    const token = await createUserToken(server.dataDir, "creator");
    const create = () => api(server.url, "/v1/models/admin/hello/predictions", { token, body: JSON.stringify({ input: { name: "x" } }) });
    assert.equal((await create()).status, 201);
    assert.equal((await create()).status, 201);
    const limited = await create();
    assert.equal(limited.status, 429);
    assert.match(limited.headers.get("retry-after") ?? "", /^\d+$/);
    assert.equal((await api(server.url, "/v1/account", { token })).status, 200, "GETs are counted apart");
  });
});
