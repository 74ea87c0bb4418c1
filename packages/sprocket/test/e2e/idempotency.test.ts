// Idempotency-Key on creates (extension, README "Idempotent create"): a retried create returns the
// first prediction instead of starting a second, even when the duplicates race each other.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { api, createUserToken, pushFixture, startServer, type TestServer } from "./harness.ts";

describe("idempotent create", () => {
  let server: TestServer;
  let version: string;

  before(async () => {
    server = await startServer({ env: { SPROCKET_EXAMPLES: "false", SPROCKET_RATE_LIMIT_CREATES: "0" } });
    version = await pushFixture(server, "echo", "admin/echo");
  });
  after(() => server?.stop());

  const create = (key: string | null, body: Record<string, unknown>, route = "/v1/predictions") =>
    api(server.url, route, { token: server.token, headers: key === null ? {} : { "idempotency-key": key }, body: JSON.stringify(body) });
  const countOf = async (word: string) =>
    ((await api(server.url, "/v1/predictions", { token: server.token })).body.results as { input: { word: string } }[]).filter((p) => p.input.word === word).length;

  test("ten concurrent creates with one key make one prediction, and every answer names it", async () => {
    const body = { version, input: { word: "alpha", count: 7 } };
    const answers = await Promise.all(Array.from({ length: 10 }, () => create("order-1234", body)));
    const ids = new Set(answers.map((a) => a.body.id));
    assert.deepEqual(answers.map((a) => a.status), Array(10).fill(201), JSON.stringify(answers.map((a) => a.body)));
    assert.equal(ids.size, 1, `ids: ${[...ids].join(", ")}`);
    assert.equal(answers.filter((a) => a.headers.get("idempotent-replayed") === "true").length, 9);
    assert.equal(await countOf("alpha"), 1);

    // Later, the same key and body (keys in another order) still return it.
    const later = await create("order-1234", { input: { count: 7, word: "alpha" }, version });
    assert.equal(later.body.id, [...ids][0]);
  });

  test("the same key with another body is a 422; another account may use the same key", async () => {
    const first = await create("k-2", { version, input: { word: "beta" } });
    assert.equal(first.status, 201);
    const other = await create("k-2", { version, input: { word: "gamma" } });
    assert.equal(other.status, 422);
    assert.match(other.body.detail, /Idempotency-Key "k-2" was used .* with a different request/);
    // The same body on another route is another request too.
    assert.equal((await create("k-2", { input: { word: "beta" } }, "/v1/models/admin/echo/predictions")).status, 422);
    assert.equal(await countOf("gamma"), 0);
    // Keys are per account: another user's k-2, even with the same input, is their own new prediction.
    const bo = await createUserToken(server.dataDir, "bo");
    await pushFixture(server, "echo", "bo/echo", bo);
    const theirs = await api(server.url, "/v1/models/bo/echo/predictions", { token: bo, headers: { "idempotency-key": "k-2" }, body: JSON.stringify({ input: { word: "beta" } }) });
    assert.equal(theirs.status, 201, JSON.stringify(theirs.body));
    assert.notEqual(theirs.body.id, first.body.id);
  });

  test("a create that fails frees its key; a malformed key is a 422 naming the header", async () => {
    const invalid = await create("k-3", { version, input: { word: "delta" } });
    assert.equal(invalid.status, 422);
    const fixed = await create("k-3", { version, input: { word: "gamma" } });
    assert.equal(fixed.status, 201, JSON.stringify(fixed.body));

    for (const key of ["x".repeat(256), "has space", "semi;colon"]) {
      const bad = await create(key, { version, input: { word: "alpha" } });
      assert.equal(bad.status, 422, key);
      assert.deepEqual(bad.body.invalid_fields.map((f: { field: string }) => f.field), ["Idempotency-Key"]);
    }
  });
});
