// Restarting on the same data directory: a clean stop keeps everything; after a SIGKILL, what was
// running fails as interrupted, what was queued runs, and nothing stays starting/processing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { existsSync } from "node:fs";
import path from "node:path";
import { TERMINAL, api, isAlive, pushFixture, startServer, tempDir, waitFor, waitForPrediction, type TestServer } from "./harness.ts";

describe("restarting a server on the same data directory", () => {
  let server: TestServer;
  let slowVersion: string;

  before(async () => {
    server = await startServer();
    slowVersion = await pushFixture(server, "slow", "admin/slow");
  });
  after(() => server?.stop());

  test("after a SIGTERM stop (exit code 0), a restart still has the models, the token and finished predictions", async () => {
    const created = await server.client.predictions.create({ model: "admin/slow", input: { ms: 5 } });
    const done = await waitForPrediction(server.client, created.id);
    assert.equal(done.status, "succeeded");

    assert.equal(await server.stop(), 0);
    server = await server.restart();

    const again = await server.client.predictions.get(created.id);
    assert.equal(again.status, "succeeded");
    assert.equal(again.output, "slept 5 ms");
    assert.equal(again.logs, done.logs);
    assert.deepEqual(again.metrics, done.metrics);
    assert.equal((await server.client.models.get("admin", "slow")).latest_version?.id, slowVersion);
    assert.equal(await server.client.run("admin/slow", { input: { ms: 1 } }), "slept 1 ms");
  });

  test("after a SIGKILL, the running prediction fails as interrupted, the queued ones run to succeeded, and none stays starting or processing", async () => {
    const client = server.client;
    // One instance per version: the first runs, the others queue behind it.
    const running = await client.predictions.create({ model: "admin/slow", input: { ms: 60_000 } });
    const processing = await waitForPrediction(client, running.id, (p) => p.status === "processing");
    const queued = [];
    for (let i = 0; i < 3; i++) queued.push(await client.predictions.create({ model: "admin/slow", input: { ms: 10 + i } }));
    for (const prediction of queued) assert.equal((await client.predictions.get(prediction.id)).status, "starting");
    // The model process's pid, from its log line (flushed to the prediction in memory at once).
    const withPid = await waitForPrediction(client, running.id, (p) => /slow: pid \d+/.test(p.logs ?? ""));
    const modelPid = Number(/slow: pid (\d+)/.exec(withPid.logs!)![1]);
    assert.ok(processing.started_at);

    await server.kill();
    // The model's process must not outlive the server that started it.
    await waitFor(() => !isAlive(modelPid), { timeoutMs: 5000, message: `model process ${modelPid} to exit after its server was killed` });

    server = await server.restart();
    const restarted = server.client;

    const interrupted = await waitForPrediction(restarted, running.id);
    assert.equal(interrupted.status, "failed");
    assert.match(String(interrupted.error), /interrupted/i);
    assert.ok(interrupted.completed_at);

    for (const [i, prediction] of queued.entries()) {
      const done = await waitForPrediction(restarted, prediction.id, undefined, 15_000);
      assert.equal(done.status, "succeeded", `queued prediction ${i}: ${done.error}`);
      assert.equal(done.output, `slept ${10 + i} ms`);
    }

    const all = [];
    for await (const page of restarted.paginate(restarted.predictions.list)) all.push(...page);
    const stuck = all.filter((p) => !TERMINAL.has(p.status));
    assert.deepEqual(
      stuck.map((p) => `${p.id} ${p.status}`),
      [],
    );
    assert.ok(all.length >= 6, `listed ${all.length}`);
  });

  // Runs last: it leaves the server stopped.
  test("a SIGTERM while a Prefer: wait request is open answers that request and exits within 10 seconds", async () => {
    const running = await server.client.predictions.create({ model: "admin/slow", input: { ms: 60_000 } });
    await waitForPrediction(server.client, running.id, (p) => p.status === "processing");
    let answered: number | string | undefined;
    const waiting = api(server.url, "/v1/models/admin/slow/predictions", {
      token: server.token,
      body: JSON.stringify({ input: { ms: 1 } }),
      headers: { prefer: "wait=5" },
    }).then(
      (response) => (answered = response.status),
      (error: Error) => (answered = error.message),
    );
    // The sync request has been received once its prediction exists.
    await waitFor(async () => (await server.client.predictions.list()).results.some((p) => p.id !== running.id && p.status === "starting"), {
      message: "the Prefer: wait request to reach the server",
    });

    const stoppedAt = Date.now();
    let exitCode: number | null | undefined;
    void server.stop().then((code) => (exitCode = code));
    try {
      await waitFor(() => exitCode !== undefined, { timeoutMs: 10_000, intervalMs: 50, message: "the server to exit after SIGTERM" });
    } finally {
      await server.kill();
    }
    assert.equal(exitCode, 0);
    await waiting;
    assert.ok(answered !== undefined, "the open request got an answer or was closed");
    assert.ok(Date.now() - stoppedAt < 10_000);
  });

  test("a SIGTERM while a model is in setup() leaves its queued predictions queued, and they run after the restart", async () => {
    const setupMarker = path.join(tempDir("sprocket-marker-"), "setup-started");
    let own = await startServer({ env: { SLOW_SETUP_MARKER: setupMarker } });
    try {
      await pushFixture(own, "slow-setup", "admin/slow-setup");
      const waiting = [];
      for (let i = 0; i < 2; i++) waiting.push(await own.client.predictions.create({ model: "admin/slow-setup", input: {} }));
      await waitFor(() => existsSync(setupMarker), { timeoutMs: 10_000, message: "setup() to start" });
      assert.equal(await own.stop(), 0);
      own = await own.restart();
      for (const prediction of waiting) {
        const done = await waitForPrediction(own.client, prediction.id, undefined, 15_000);
        assert.equal(done.status, "succeeded", `${prediction.id}: ${done.error}`);
      }
    } finally {
      await own.stop();
    }
  });
});
