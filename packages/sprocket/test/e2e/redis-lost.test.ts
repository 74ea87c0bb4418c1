// Scale-out when Redis goes away mid-run: a `sprocket serve` on PostgreSQL and a Redis of this
// test's own (redis-server on a free port, started and SIGKILLed here). While Redis is gone a
// create is still answered (201: its row is durable) and reads keep working; once Redis is back,
// nothing was lost: that prediction runs (the sweep queues it again) and new ones run at once.
// Says it skipped, and why, without PostgreSQL or the redis-server binary.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { api, startServer, waitFor, waitForPrediction, type TestServer } from "./harness.ts";
import { schemaUrl, testPostgres } from "../services.ts";

const { admin, reachable: pgReachable } = await testPostgres("Redis lost mid-run");
const redisBinary = spawnSync("redis-server", ["--version"]).status === 0;
if (!redisBinary) console.log("SKIPPED: Redis lost mid-run (no redis-server binary to start a Redis of the test's own)");
const tag = randomBytes(6).toString("hex");
const schema = `sprocket_redislost_${tag}`;

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  process.on("exit", () => child.kill("SIGKILL"));
  let output = "";
  child.stdout!.on("data", (data) => (output += data));
  return waitFor(() => (output.includes("Ready to accept connections") ? child : undefined), { timeoutMs: 10_000, message: "redis-server did not start" });
}

const kill = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });

describe("Redis lost mid-run (scale-out)", { skip: !(pgReachable && redisBinary) && "see the SKIPPED line" }, () => {
  let redis: ChildProcess;
  let port: number;
  let server: TestServer;

  before(async () => {
    await admin.query(`CREATE SCHEMA ${schema}`);
    port = await freePort();
    redis = await startRedis(port);
    server = await startServer({
      env: {
        SPROCKET_DATABASE_URL: schemaUrl(schema),
        SPROCKET_REDIS_URL: `redis://127.0.0.1:${port}`,
      },
    });
  });
  after(async () => {
    await server?.stop().catch(() => {});
    if (redis) await kill(redis);
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
  });

  test("while Redis is gone a create is answered and kept; once it is back, that prediction and new ones run", async () => {
    assert.equal(await server.client.run("admin/hello", { input: { name: "before" } }), "hello, before!");
    await kill(redis);
    const started = Date.now();
    const during = await api(server.url, "/v1/models/admin/hello/predictions", { token: server.token, body: JSON.stringify({ input: { name: "during" } }) });
    assert.equal(during.status, 201, JSON.stringify(during.body));
    assert.ok(Date.now() - started < 10_000, `answered in ${Date.now() - started} ms`);
    assert.equal((await server.client.predictions.get(during.body.id)).status, "starting", "reads work without Redis");
    redis = await startRedis(port);
    // The add waited in the client's offline queue and goes out now; had it been lost, the sweep
    // would queue the kept row again (after 30 s unclaimed).
    const done = await waitForPrediction(server.client, during.body.id, undefined, 60_000);
    assert.equal(done.status, "succeeded");
    assert.equal(done.output, "hello, during!");
    assert.equal(await server.client.run("admin/hello", { input: { name: "after" } }), "hello, after!");
  });
});
