// Models that cannot start: a setup() that throws fails the predictions waiting for it with the
// setup's error (and the model recovers once fixed); a module that cannot load is refused at push.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { api, pushFixture, startServer, waitForPrediction, type TestServer } from "./harness.ts";

describe("models that fail to load", () => {
  let server: TestServer;

  before(async () => {
    server = await startServer();
    await pushFixture(server, "setup-fails", "admin/setup-fails");
  });
  after(() => server?.stop());

  test("when setup() throws, every waiting prediction fails with the setup's error and its output", async () => {
    const replicate = server.client;
    const first = await replicate.predictions.create({ model: "admin/setup-fails", input: {} });
    const second = await replicate.predictions.create({ model: "admin/setup-fails", input: {} });
    for (const id of [first.id, second.id]) {
      const done = await waitForPrediction(replicate, id);
      assert.equal(done.status, "failed");
      assert.match(String(done.error), /setup failed: weights file missing/);
      assert.match(String(done.error), /looking for weights/);
    }
    // The next prediction tries a fresh instance rather than waiting forever.
    await assert.rejects(replicate.run("admin/setup-fails", { input: {} }), /weights file missing/);
  });

  test("pushing a model whose module cannot load is refused with a 422 naming the problem", async () => {
    const created = await api(server.url, "/v1/models", {
      token: server.token,
      body: JSON.stringify({ owner: "admin", name: "broken", visibility: "private" }),
    });
    assert.equal(created.status, 201);
    await assert.rejects(pushFixture(server, "broken-import", "admin/broken"), /422.*could not be loaded.*does-not-exist/s);
    const versions = await api(server.url, "/v1/models/admin/broken/versions", { token: server.token });
    assert.deepEqual(versions.body.results, []);
  });
});
