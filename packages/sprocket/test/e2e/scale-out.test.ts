// Scale-out: several `sprocket serve` processes sharing PostgreSQL (a schema of this run's own),
// Redis (a key prefix of this run's own: the BullMQ queue and the event bus) and one data
// directory. Two run workers, one is API-only (SPROCKET_WORKER=false). Clients spread over all
// three; waiting, SSE and cancel work whichever replica is asked; a worker SIGKILLed mid-prediction
// has its running prediction failed (saying why) within 30 s while everything else accepted still
// finishes on the other; an unreachable Redis stops a start with one line. Says it skipped, and
// why, without PostgreSQL or Redis (both run on every machine here and in CI).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { CLI } from "./cli-run.ts";
import { PACKAGE_ROOT, api, pushFixture, startServer, tempDir, waitFor, waitForPrediction, TERMINAL, type TestServer } from "./harness.ts";
import { testScaleOut } from "../services.ts";

const { admin, reachable, tag, schema, env: shared } = await testScaleOut("Sprocket scale-out", "sprocket_scale");
const env = shared;

describe("Sprocket scale-out (PostgreSQL + Redis, several processes)", { skip: !reachable && "no PostgreSQL or Redis reachable (see the SKIPPED line)" }, () => {
  let a: TestServer;
  let b: TestServer;
  let apiOnly: TestServer;
  let echo: string;
  let slow: string;

  before(async () => {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const dataDir = tempDir();
    const adminToken = `r8_scale${tag}`;
    a = await startServer({ env, dataDir, adminToken });
    [b, apiOnly] = await Promise.all([startServer({ env, dataDir, adminToken }), startServer({ env: { ...env, SPROCKET_WORKER: "false" }, dataDir, adminToken })]);
    echo = await pushFixture(a, "echo", "admin/echo");
    slow = await pushFixture(b, "slow", "admin/slow");
  });
  after(async () => {
    await Promise.allSettled([a, b, apiOnly].map((server) => server?.stop()));
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
  });

  const workersOf = async (ids: string[]) =>
    (await admin.query(`SELECT DISTINCT worker_id FROM ${schema}.predictions WHERE id = ANY($1)`, [ids])).rows.map((row) => String(row.worker_id));

  test("predictions created on any replica run on the workers, and `Prefer: wait` answers on an API-only replica", async () => {
    const servers = [a, b, apiOnly];
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => servers[i % 3].client.predictions.create({ version: slow, input: { ms: 300 } })),
    );
    const done = await Promise.all(created.map((p, i) => waitForPrediction(servers[(i + 1) % 3].client, p.id)));
    assert.deepEqual(new Set(done.map((p) => p.status)), new Set(["succeeded"]));
    const workers = await workersOf(created.map((p) => p.id));
    assert.equal(workers.length, 2, `both worker hosts ran some: ${workers.join(", ")}`);
    // The official client's run() on the API-only replica, and a synchronous create there.
    assert.deepEqual(await apiOnly.client.run(`admin/echo:${echo}`, { input: { word: "gamma" } }), { word: "gamma", count: 3, ratio: 0.5, loud: false });
    const waited = await api(apiOnly.url, "/v1/predictions", { token: apiOnly.token, headers: { prefer: "wait=20" }, body: JSON.stringify({ version: echo, input: { word: "beta" } }) });
    assert.equal(waited.body.status, "succeeded");
  });

  test("an SSE stream read from another replica carries the logs and the end", async () => {
    const prediction = await a.client.predictions.create({ version: slow, input: { ms: 500 }, stream: true });
    const streamPath = new URL(prediction.urls.stream!).pathname + new URL(prediction.urls.stream!).search;
    const response = await fetch(`${apiOnly.url}${streamPath}`, { headers: { accept: "text/event-stream" } });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /slow: sleeping 500 ms/);
    assert.match(text, /event: done/);
  });

  test("a cancel through another replica stops a prediction running on a worker elsewhere", async () => {
    const running = await apiOnly.client.predictions.create({ version: slow, input: { ms: 20_000 } });
    await waitFor(async () => (await a.client.predictions.get(running.id)).status === "processing", { timeoutMs: 15_000 });
    await b.client.predictions.cancel(running.id);
    assert.equal((await waitForPrediction(a.client, running.id, undefined, 15_000)).status, "canceled");
  });

  test("a worker SIGKILLed mid-prediction: its running prediction fails within 30 s saying why; every other accepted prediction finishes", async () => {
    const long = await Promise.all([1, 2, 3, 4].map(() => apiOnly.client.predictions.create({ version: slow, input: { ms: 4_000 } })));
    // Whichever worker process runs one of them first is the one killed.
    const { id: onVictim, victim } = await waitFor(
      async () => {
        const rows = await admin.query(`SELECT id, worker_id FROM ${schema}.predictions WHERE status = 'processing' AND id = ANY($1)`, [long.map((p) => p.id)]);
        const row = rows.rows.find((r) => [a, b].some((s) => String(r.worker_id).includes(`-${s.pid}-`)));
        return row && { id: String(row.id), victim: [a, b].find((s) => String(row.worker_id).includes(`-${s.pid}-`))! };
      },
      { timeoutMs: 20_000, message: "none of the predictions ran" },
    );
    const survivor = victim === a ? b : a;
    const more = await Promise.all([1, 2, 3].map(() => survivor.client.predictions.create({ version: echo, input: { word: "alpha" } })));
    const killedAt = Date.now();
    await victim.kill();
    const failed = await waitForPrediction(survivor.client, onVictim, undefined, 30_000);
    assert.equal(failed.status, "failed");
    assert.match(String(failed.error), /stopped responding/);
    assert.ok(Date.now() - killedAt < 30_000);
    const all = await Promise.all([...long, ...more].map((p) => waitForPrediction(apiOnly.client, p.id, undefined, 60_000)));
    assert.ok(all.every((p) => TERMINAL.has(p.status)), "every accepted prediction ended");
    // What the killed process was running fails, saying why; everything else succeeds.
    for (const p of all) {
      if (p.status === "succeeded") continue;
      assert.match(String(p.error), /stopped responding/, `${p.id}: ${p.status} ${p.error}`);
      assert.ok((await workersOf([p.id]))[0].includes(`-${victim.pid}-`), `${p.id} failed but did not run on the killed process`);
    }
    if (victim === a) a = await a.restart();
    else b = await b.restart();
  });

  test("an unreachable Redis stops the start with one line naming it, exit non-zero", () => {
    const result = spawnSync(process.execPath, [CLI, "serve", "--port", "0", "--data", tempDir()], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, ...env, SPROCKET_REDIS_URL: "redis://:hunter2@127.0.0.1:1", SPROCKET_EXAMPLES: "false" },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    assert.doesNotMatch(result.stderr, /hunter2|\n\s+at /);
  });
});
