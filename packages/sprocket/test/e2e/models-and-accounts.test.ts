// Models, versions, accounts and hardware through the official client, and what one user can see
// of another's (tenant isolation). One server; users alice and bob besides admin.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type Replicate from "replicate";
import { api, clientFor, statusOf, createUserToken, pushFixture, startServer, waitForPrediction, type TestServer } from "./harness.ts";


describe("models, versions and accounts", () => {
  let server: TestServer;
  let aliceToken: string;
  let bobToken: string;
  let alice: Replicate;
  let bob: Replicate;
  let aliceVersion: string;

  before(async () => {
    server = await startServer();
    [aliceToken, bobToken] = await Promise.all([createUserToken(server.dataDir, "alice"), createUserToken(server.dataDir, "bob")]);
    alice = clientFor(server.url, aliceToken);
    bob = clientFor(server.url, bobToken);
    aliceVersion = await pushFixture(server, "echo", "alice/secret-echo", aliceToken);
  });
  after(() => server?.stop());

  test("accounts.current names the user the token belongs to", async () => {
    const admin = await server.client.accounts.current();
    assert.equal(admin.username, "admin");
    assert.ok(admin.type === "user" || admin.type === "organization");
    assert.equal(typeof admin.name, "string");
    assert.equal((await alice.accounts.current()).username, "alice");
    assert.equal((await bob.accounts.current()).username, "bob");
  });

  test("hardware.list returns a plain array that includes the CPU", async () => {
    const hardware = await server.client.hardware.list();
    assert.ok(Array.isArray(hardware));
    assert.ok(hardware.some((h) => h.sku === "cpu" && typeof h.name === "string"), JSON.stringify(hardware));
  });

  test("models.create makes a model that models.get and models.list then show", async () => {
    const created = await alice.models.create("alice", "fresh", { visibility: "private", hardware: "cpu", description: "made by a test" });
    assert.equal(created.owner, "alice");
    assert.equal(created.name, "fresh");
    assert.equal(created.visibility, "private");
    assert.equal(created.latest_version ?? null, null);
    const got = await alice.models.get("alice", "fresh");
    assert.equal(got.description, "made by a test");
    const listed = await alice.models.list();
    assert.ok(listed.results.some((m) => m.owner === "alice" && m.name === "fresh"));
    assert.ok(listed.results.some((m) => m.owner === "admin" && m.name === "hello"), "public models are listed too");
  });

  test("creating a model that already exists gets 409, and under another user's name 403", async () => {
    await alice.models.create("alice", "twice", { visibility: "public", hardware: "cpu" });
    assert.equal(await statusOf(alice.models.create("alice", "twice", { visibility: "public", hardware: "cpu" })), 409);
    assert.equal(await statusOf(bob.models.create("alice", "not-bobs", { visibility: "public", hardware: "cpu" })), 403);
  });

  test("deleting a model with no versions answers 204 and the model is gone", async () => {
    await alice.models.create("alice", "short-lived", { visibility: "private", hardware: "cpu" });
    const deleted = await api(server.url, "/v1/models/alice/short-lived", { method: "DELETE", token: aliceToken });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, null);
    assert.equal(await statusOf(alice.models.get("alice", "short-lived")), 404);
  });

  test("deleting a model that has versions is refused with 409 and the model stays", async () => {
    const refused = await api(server.url, "/v1/models/alice/secret-echo", { method: "DELETE", token: aliceToken });
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, /version/);
    assert.equal((await alice.models.get("alice", "secret-echo")).latest_version?.id, aliceVersion);
  });

  test("models.versions.list and models.versions.get return the pushed version with its OpenAPI schema", async () => {
    const versions = await alice.models.versions.list("alice", "secret-echo");
    assert.deepEqual(
      versions.results.map((v) => v.id),
      [aliceVersion],
    );
    const version = await alice.models.versions.get("alice", "secret-echo", aliceVersion);
    assert.equal(version.id, aliceVersion);
    assert.equal(typeof version.cog_version, "string");
    assert.ok(version.created_at);
    const input = (version.openapi_schema as any).components.schemas.Input;
    assert.deepEqual(Object.keys(input.properties).sort(), ["count", "loud", "ratio", "word"]);
    assert.deepEqual(input.required, ["word"]);
    assert.equal(await statusOf(alice.models.versions.get("alice", "secret-echo", "f".repeat(64))), 404);
  });

  test("pushing the same directory again yields the same version id and no new version", async () => {
    assert.equal(await pushFixture(server, "echo", "alice/secret-echo", aliceToken), aliceVersion);
    assert.equal((await alice.models.versions.list("alice", "secret-echo")).results.length, 1);
  });

  describe("tenant isolation", () => {
    test("another user gets 404 for someone else's prediction, on get and on cancel", async () => {
      const prediction = await alice.predictions.create({ model: "alice/secret-echo", input: { word: "alpha" } });
      await waitForPrediction(alice, prediction.id);
      assert.equal(await statusOf(bob.predictions.get(prediction.id)), 404);
      assert.equal(await statusOf(bob.predictions.cancel(prediction.id)), 404);
      assert.equal((await alice.predictions.get(prediction.id)).status, "succeeded");
    });

    test("a user's prediction list holds only their own predictions", async () => {
      const mine = await alice.predictions.create({ model: "alice/secret-echo", input: { word: "beta" } });
      const theirs = await bob.predictions.create({ model: "admin/hello", input: { name: "bob" } });
      await Promise.all([waitForPrediction(alice, mine.id), waitForPrediction(bob, theirs.id)]);
      const bobIds = (await bob.predictions.list()).results.map((p) => p.id);
      assert.deepEqual(bobIds, [theirs.id]);
      const aliceIds = (await alice.predictions.list()).results.map((p) => p.id);
      assert.ok(aliceIds.includes(mine.id));
      assert.ok(!aliceIds.includes(theirs.id));
      const adminIds = (await server.client.predictions.list()).results.map((p) => p.id);
      assert.ok(!adminIds.includes(mine.id) && !adminIds.includes(theirs.id), "admin's own list is its own too");
    });

    test("another user can neither see nor run a private model, by name or by version id", async () => {
      assert.equal(await statusOf(bob.models.get("alice", "secret-echo")), 404);
      assert.equal(await statusOf(bob.models.versions.list("alice", "secret-echo")), 404);
      assert.equal(await statusOf(bob.models.versions.get("alice", "secret-echo", aliceVersion)), 404);
      assert.equal(await statusOf(bob.run("alice/secret-echo", { input: { word: "alpha" } })), 404);
      assert.equal(await statusOf(bob.predictions.create({ version: aliceVersion, input: { word: "alpha" } })), 422);
      assert.equal(await statusOf(bob.run(`alice/secret-echo:${aliceVersion}`, { input: { word: "alpha" } })), 422);
      const bobModels = (await bob.models.list()).results.map((m) => `${m.owner}/${m.name}`);
      assert.ok(!bobModels.includes("alice/secret-echo"), bobModels.join(", "));
      assert.equal((await api(server.url, "/v1/models/alice/secret-echo", { method: "DELETE", token: bobToken })).status, 404);
    });

    test("a public model is visible to and runnable by every user", async () => {
      assert.equal((await bob.models.get("admin", "hello")).visibility, "public");
      assert.equal(await bob.run("admin/hello", { input: { name: "Bob" } }), "hello, Bob!");
      const deleted = await api(server.url, "/v1/models/admin/hello", { method: "DELETE", token: bobToken });
      assert.equal(deleted.status, 403, "only the owner may delete");
    });
  });
});
