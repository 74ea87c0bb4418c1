// Predictions through the official client: run, create + wait, get, list and pagination, logs,
// metrics, typed inputs and a model that throws. One server for the whole file.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type Replicate from "replicate";
import { TERMINAL, api, clientFor, createUserToken, pushFixture, startServer, waitFor, type TestServer } from "./harness.ts";

describe("predictions through the official replicate client", () => {
  let server: TestServer;
  let replicate: Replicate;

  before(async () => {
    server = await startServer();
    replicate = server.client;
    await Promise.all([
      pushFixture(server, "echo", "admin/echo"),
      pushFixture(server, "fails", "admin/fails"),
      pushFixture(server, "slow", "admin/slow"),
    ]);
  });
  after(() => server?.stop());

  test("replicate.run on admin/hello returns the greeting for the given name", async () => {
    assert.equal(await replicate.run("admin/hello", { input: { name: "Ada" } }), "hello, Ada!");
  });

  test("replicate.run with owner/name:version runs that pinned version", async () => {
    const model = await replicate.models.get("admin", "hello");
    const versionId = model.latest_version!.id;
    assert.match(versionId, /^[0-9a-f]{64}$/);
    assert.equal(await replicate.run(`admin/hello:${versionId}`, { input: { name: "Grace" } }), "hello, Grace!");
    const [latest] = (await replicate.predictions.list()).results;
    assert.equal(latest.version, versionId);
    assert.equal(latest.model, "admin/hello");
  });

  test("predictions.create answers at once with status starting, and replicate.wait follows it to succeeded", async () => {
    const created = await replicate.predictions.create({ model: "admin/hello", input: { name: "Lin" } });
    assert.equal(created.status, "starting");
    assert.equal(created.output, null);
    const done = await replicate.wait(created, { interval: 50 });
    assert.equal(done.id, created.id);
    assert.equal(done.status, "succeeded");
    assert.equal(done.output, "hello, Lin!");
  });

  test("replicate.run with a block timeout shorter than the prediction still returns the final output", async () => {
    const started = Date.now();
    const output = await replicate.run("admin/slow", { input: { ms: 1500 }, wait: { mode: "block", timeout: 1 } });
    assert.equal(output, "slept 1500 ms");
    assert.ok(Date.now() - started >= 1500);
  });

  test("predictions.create with wait: true answers with the finished prediction", async () => {
    const done = await replicate.predictions.create({ model: "admin/hello", input: { name: "Kay" }, wait: true });
    assert.equal(done.status, "succeeded");
    assert.equal(done.output, "hello, Kay!");
  });

  test("predictions.get returns the finished prediction with its model, version, input, output and urls", async () => {
    const model = await replicate.models.get("admin", "hello");
    const created = await replicate.predictions.create({ version: model.latest_version!.id, input: { name: "Bo" } });
    await replicate.wait(created, { interval: 50 });
    const got = await replicate.predictions.get(created.id);
    assert.equal(got.id, created.id);
    assert.equal(got.status, "succeeded");
    assert.equal(got.model, "admin/hello");
    assert.equal(got.version, model.latest_version!.id);
    assert.deepEqual(got.input, { name: "Bo" });
    assert.equal(got.output, "hello, Bo!");
    assert.equal(got.error, null);
    assert.equal(got.source, "api");
    assert.ok(got.started_at && got.completed_at, "started_at and completed_at are set");
    assert.equal(got.urls.get, `${server.url}/v1/predictions/${created.id}`);
    assert.equal(got.urls.cancel, `${server.url}/v1/predictions/${created.id}/cancel`);
    assert.equal(typeof got.urls.web, "string");
  });

  test("a finished prediction reports metrics.predict_time and metrics.total_time, plus metrics the model recorded", async () => {
    const created = await replicate.predictions.create({ model: "admin/echo", input: { word: "alpha", count: 4 } });
    const done = await replicate.wait(created, { interval: 50 });
    const metrics = done.metrics as Record<string, number>;
    assert.equal(typeof metrics.predict_time, "number");
    assert.equal(typeof metrics.total_time, "number");
    assert.ok(metrics.predict_time >= 0);
    assert.ok(metrics.total_time >= metrics.predict_time, `total_time ${metrics.total_time} >= predict_time ${metrics.predict_time}`);
    assert.equal(metrics.echo_count, 4);
  });

  test("what the predictor prints with console.log appears in prediction.logs", async () => {
    const created = await replicate.predictions.create({ model: "admin/slow", input: { ms: 20 } });
    const done = await replicate.wait(created, { interval: 50 });
    assert.equal(done.output, "slept 20 ms");
    assert.match(done.logs ?? "", /slow: sleeping 20 ms\n/);
    assert.match(done.logs ?? "", /slow: woke up\n/);
  });

  test("typed inputs reach the model as sent, with the schema's defaults filled in", async () => {
    const output = await replicate.run("admin/echo", { input: { word: "gamma", count: 10, loud: true } });
    assert.deepEqual(output, { word: "gamma", count: 10, ratio: 0.5, loud: true });
    const exact = await replicate.run("admin/echo", { input: { word: "beta", count: 1, ratio: 2.25, loud: false } });
    assert.deepEqual(exact, { word: "beta", count: 1, ratio: 2.25, loud: false });
  });

  test("a model that throws ends failed with its error message, and replicate.run rejects with it", async () => {
    await assert.rejects(replicate.run("admin/fails", { input: {} }), /Prediction failed: fixture failure: this model always throws/);
    const created = await replicate.predictions.create({ model: "admin/fails", input: {} });
    await assert.rejects(replicate.wait(created, { interval: 50 }), /fixture failure: this model always throws/);
    const failed = await replicate.predictions.get(created.id);
    assert.equal(failed.status, "failed");
    assert.equal(failed.error, "fixture failure: this model always throws");
    assert.match(failed.logs ?? "", /fails: about to throw/);
    assert.ok(failed.completed_at);
  });

  test("predictions.list pages 100 at a time and replicate.paginate walks every page, newest first", async () => {
    // A user of its own, so the list holds exactly what this test created.
    const pager = clientFor(server.url, await createUserToken(server.dataDir, "pager"));
    const created = await Promise.all(
      Array.from({ length: 101 }, (_, i) => pager.predictions.create({ model: "admin/hello", input: { name: `n${i}` } })),
    );
    const ids = new Set(created.map((p) => p.id));
    assert.equal(ids.size, 101);

    await waitFor(
      async () => {
        const seen = [];
        for await (const page of pager.paginate(pager.predictions.list)) seen.push(...page);
        return seen.length === 101 && seen.every((p) => TERMINAL.has(p.status));
      },
      { timeoutMs: 30_000, intervalMs: 200, message: "all 101 predictions to finish" },
    );

    const first = await pager.predictions.list();
    assert.equal(first.results.length, 100);
    assert.equal(first.previous, null);
    assert.ok(first.next?.startsWith(`${server.url}/v1/predictions?cursor=`), `next is an absolute URL: ${first.next}`);

    const pages = [];
    for await (const page of pager.paginate(pager.predictions.list)) pages.push(page);
    assert.deepEqual(
      pages.map((p) => p.length),
      [100, 1],
    );
    const listed = pages.flat();
    assert.deepEqual(new Set(listed.map((p) => p.id)), ids, "every prediction listed exactly once");
    assert.equal(new Set(listed.map((p) => p.id)).size, listed.length);
    for (let i = 1; i < listed.length; i++) {
      assert.ok(listed[i - 1].created_at >= listed[i].created_at, `newest first at ${i}`);
    }
    assert.ok(listed.every((p) => p.status === "succeeded" && p.output === `hello, ${(p.input as { name: string }).name}!`));
  });

  test("a model that takes one prediction at a time never runs two at once, however many are waiting", async () => {
    const replicate = server.client;
    const created = await Promise.all(Array.from({ length: 4 }, () => replicate.predictions.create({ model: "admin/slow", input: { ms: 150 } })));
    const done = await Promise.all(created.map((p) => waitFor(async () => {
      const current = await replicate.predictions.get(p.id);
      return TERMINAL.has(current.status) ? current : null;
    }, { timeoutMs: 15_000 })));
    const spans = done.map((p) => [Date.parse(p.started_at!), Date.parse(p.completed_at!)]).sort((a, b) => a[0] - b[0]);
    // The next one is handed over as soon as the previous result arrives, a moment before that
    // result's completed_at is recorded: a few ms of bookkeeping, never a 150 ms overlap.
    for (let i = 1; i < spans.length; i++) {
      assert.ok(spans[i][0] >= spans[i - 1][1] - 25, `prediction ${i} started ${spans[i - 1][1] - spans[i][0]} ms before the previous one ended`);
    }
  });

  test("GET /v1/predictions?status= (extension) lists one state's predictions; an unknown state is a 400", async () => {
    const ok = await replicate.predictions.create({ model: "admin/hello", input: { name: "fine" } });
    const bad = await replicate.predictions.create({ model: "admin/fails", input: {} });
    for (const p of [ok, bad]) await waitFor(async () => TERMINAL.has((await replicate.predictions.get(p.id)).status));
    const ids = async (status: string) => {
      const page = await api(server.url, `/v1/predictions?status=${status}`, { token: server.token });
      assert.ok(page.body.results.every((p: { status: string }) => p.status === status), `only ${status} ones`);
      return page.body.results.map((p: { id: string }) => p.id);
    };
    assert.ok((await ids("failed")).includes(bad.id));
    assert.ok(!(await ids("failed")).includes(ok.id));
    assert.ok((await ids("succeeded")).includes(ok.id));
    const wrong = await api(server.url, "/v1/predictions?status=done", { token: server.token });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.detail, /status must be one of starting, processing, succeeded, failed, canceled/);
  });
});
