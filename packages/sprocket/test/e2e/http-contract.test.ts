// The HTTP contract as a curl user (or any client) sees it: `Prefer: wait`, status codes and
// problem+json bodies for 400/401/404/413/422. Plain fetch where the status code itself is the
// point; the official client where its behaviour on that status is.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { api, clientFor, statusOf, pushFixture, startServer, waitForPrediction, type TestServer } from "./harness.ts";


describe("the HTTP contract", () => {
  let server: TestServer;
  let slowVersion: string;

  before(async () => {
    server = await startServer({ env: { SPROCKET_BODY_LIMIT: "2048" } });
    [slowVersion] = await Promise.all([pushFixture(server, "slow", "admin/slow"), pushFixture(server, "echo", "admin/echo")]);
  });
  after(() => server?.stop());

  const create = (route: string, body: unknown, headers: Record<string, string> = {}) =>
    api(server.url, route, { token: server.token, body: JSON.stringify(body), headers });

  describe("Prefer: wait", () => {
    test("POST with Prefer: wait answers 201 with the finished prediction in one call", async () => {
      const { status, headers, body } = await create("/v1/models/admin/hello/predictions", { input: { name: "Ada" } }, { prefer: "wait" });
      assert.equal(status, 201);
      assert.equal(body.status, "succeeded");
      assert.equal(body.output, "hello, Ada!");
      assert.match(headers.get("preference-applied") ?? "", /^wait/);
      assert.equal(headers.get("location"), `${server.url}/v1/predictions/${body.id}`);
    });

    test("POST without Prefer answers 201 at once with status starting", async () => {
      const { status, body } = await create("/v1/models/admin/hello/predictions", { input: { name: "Ada" } });
      assert.equal(status, 201);
      assert.equal(body.status, "starting");
      assert.equal(body.output, null);
      assert.equal(body.logs, "");
      assert.deepEqual(body.metrics, {});
      const done = await waitForPrediction(server.client, body.id);
      assert.equal(done.output, "hello, Ada!");
    });

    test("POST /v1/predictions with a version id and Prefer: wait returns the finished prediction", async () => {
      const { status, body } = await create("/v1/predictions", { version: slowVersion, input: { ms: 1 } }, { prefer: "wait=5" });
      assert.equal(status, 201);
      assert.equal(body.status, "succeeded");
      assert.equal(body.output, "slept 1 ms");
      assert.equal(body.model, "admin/slow");
    });

    test("Prefer: wait=1 on a prediction still processing answers status starting, while GET reports processing", async () => {
      const started = Date.now();
      const { status, body } = await create("/v1/models/admin/slow/predictions", { input: { ms: 30_000 } }, { prefer: "wait=1" });
      const elapsed = Date.now() - started;
      assert.equal(status, 201);
      assert.equal(body.status, "starting");
      assert.ok(elapsed >= 900 && elapsed < 5000, `answered after ${elapsed} ms`);
      const processing = await waitForPrediction(server.client, body.id, (p) => p.status === "processing");
      assert.ok(processing.started_at);
      // Free the only instance for the tests that follow.
      await server.client.predictions.cancel(body.id);
      assert.equal((await waitForPrediction(server.client, body.id)).status, "canceled");
    });
  });

  describe("authentication", () => {
    test("a request without a token gets 401 problem+json", async () => {
      const { status, headers, body } = await api(server.url, "/v1/predictions");
      assert.equal(status, 401);
      assert.match(headers.get("content-type") ?? "", /^application\/problem\+json/);
      assert.equal(body.status, 401);
      assert.equal(typeof body.detail, "string");
    });

    test("a request with an unknown token gets 401, through fetch and through the client", async () => {
      const { status, body } = await api(server.url, "/v1/account", { token: "r8_notarealtoken" });
      assert.equal(status, 401);
      assert.equal(body.detail, "You did not pass a valid authentication token");
      assert.equal(await statusOf(clientFor(server.url, "r8_notarealtoken").accounts.current()), 401);
      assert.equal(await statusOf(clientFor(server.url, "r8_notarealtoken").run("admin/hello", { input: {} })), 401);
    });

    test("the legacy Token scheme is accepted like Bearer", async () => {
      const { status, body } = await api(server.url, "/v1/account", { headers: { authorization: `Token ${server.token}` } });
      assert.equal(status, 200);
      assert.equal(body.username, "admin");
    });
  });

  describe("not found", () => {
    test("an unknown prediction id gets 404 from get and from cancel", async () => {
      assert.equal(await statusOf(server.client.predictions.get("doesnotexist0000000000000")), 404);
      assert.equal(await statusOf(server.client.predictions.cancel("doesnotexist0000000000000")), 404);
      const { status, body } = await api(server.url, "/v1/predictions/doesnotexist0000000000000", { token: server.token });
      assert.equal(status, 404);
      assert.equal(body.status, 404);
    });

    test("an unknown model gets 404 from models.get and from creating a prediction on it", async () => {
      assert.equal(await statusOf(server.client.models.get("admin", "no-such-model")), 404);
      assert.equal(await statusOf(server.client.predictions.create({ model: "admin/no-such-model", input: {} })), 404);
      assert.equal(await statusOf(server.client.run("nobody/nothing", { input: {} })), 404);
    });

    test("an unknown version in POST /v1/predictions gets 422 invalid version", async () => {
      const { status, body } = await create("/v1/predictions", { version: "0".repeat(64), input: {} });
      assert.equal(status, 422);
      assert.equal(body.title, "Invalid version or not permitted");
    });
  });

  describe("bad requests", () => {
    test("input that breaks the model's schema gets 422 with an invalid_fields entry naming each bad field", async () => {
      const { status, headers, body } = await create("/v1/models/admin/echo/predictions", {
        input: { word: "delta", count: 11, ratio: "half", loud: "yes" },
      });
      assert.equal(status, 422);
      assert.match(headers.get("content-type") ?? "", /^application\/problem\+json/);
      assert.equal(body.status, 422);
      const fields = body.invalid_fields as { type: string; field: string; description: string }[];
      const byField = new Map(fields.map((f) => [f.field, f]));
      assert.equal(byField.get("input.word")?.type, "enum", "unknown choice");
      assert.match(byField.get("input.word")!.description, /"alpha", "beta", "gamma"/);
      assert.equal(byField.get("input.count")?.type, "number_lte", "out of range");
      assert.equal(byField.get("input.ratio")?.type, "invalid_type", "wrong type (string for number)");
      assert.equal(byField.get("input.loud")?.type, "invalid_type", "wrong type (string for boolean)");
      for (const f of fields) assert.ok(body.detail.includes(`- ${f.field}: ${f.description}\n`), `detail lists ${f.field}`);

      const low = await create("/v1/models/admin/echo/predictions", { input: { word: "alpha", count: 0 } });
      assert.equal(low.status, 422);
      assert.deepEqual(
        low.body.invalid_fields.map((f: { type: string; field: string }) => [f.type, f.field]),
        [["number_gte", "input.count"]],
      );
    });

    test("a missing required input gets 422 naming it, and the official client surfaces the 422", async () => {
      const { status, body } = await create("/v1/models/admin/echo/predictions", { input: { count: 2 } });
      assert.equal(status, 422);
      assert.equal(body.invalid_fields.length, 1);
      assert.equal(body.invalid_fields[0].type, "required");
      assert.match(body.invalid_fields[0].description, /^word is required/);
      assert.equal(await statusOf(server.client.run("admin/echo", { input: { count: 2 } })), 422);
    });

    test("a create body without input, or with unknown keys, gets 422", async () => {
      const { status, body } = await create("/v1/models/admin/hello/predictions", { inputs: { name: "x" } });
      assert.equal(status, 422);
      const descriptions = body.invalid_fields.map((f: { description: string }) => f.description);
      assert.ok(descriptions.includes("input is required"), descriptions.join("; "));
      assert.ok(descriptions.includes("Additional property inputs is not allowed"), descriptions.join("; "));
    });

    test("a list cursor the server did not make gets 400", async () => {
      const { status, body } = await api(server.url, "/v1/predictions?cursor=not-a-cursor", { token: server.token });
      assert.equal(status, 400);
      assert.equal(body.status, 400);
    });

    test("a malformed JSON body gets 400", async () => {
      const { status, headers, body } = await api(server.url, "/v1/models/admin/hello/predictions", {
        token: server.token,
        body: '{"input": {"name": "Ada"',
      });
      assert.equal(status, 400);
      assert.match(headers.get("content-type") ?? "", /^application\/problem\+json/);
      assert.equal(body.status, 400);
    });

    test("a body larger than SPROCKET_BODY_LIMIT gets 413", async () => {
      const { status, body } = await create("/v1/models/admin/hello/predictions", { input: { name: "x".repeat(4096) } });
      assert.equal(status, 413);
      assert.equal(body.status, 413);
      // Just under the limit is fine.
      const small = await create("/v1/models/admin/hello/predictions", { input: { name: "x".repeat(1500) } }, { prefer: "wait" });
      assert.equal(small.status, 201);
      assert.equal(small.body.output, `hello, ${"x".repeat(1500)}!`);
    });
  });
});
