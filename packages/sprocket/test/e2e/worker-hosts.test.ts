// Scale-out with `sprocket worker` hosts: two API replicas (`serve --no-worker`, separate OS
// processes sharing PostgreSQL, Redis and a data directory) and two worker hosts that reach them
// only through the API (--server, --token; no database or Redis settings). Clients spread over
// both replicas; version files, uploaded inputs and output files travel through the API; a cancel
// reaches the worker; concurrent idempotent creates on both replicas make one prediction; one
// worker SIGKILLed mid-prediction has its running prediction failed within 30 s and every other
// accepted prediction finished by the other. Says it skipped, and why, without PostgreSQL or Redis.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { CLI } from "./cli-run.ts";
import { PACKAGE_ROOT, api, pushDir, pushFixture, startServer, tempDir, waitFor, waitForPrediction, TERMINAL, type TestServer } from "./harness.ts";
import { testScaleOut } from "../services.ts";

const { admin, reachable, tag, schema, env: shared } = await testScaleOut("sprocket worker hosts", "sprocket_workers");
const env = { ...shared, SPROCKET_WORKER: "false" };

interface WorkerHost {
  pid: number;
  output(): string;
  kill(): Promise<void>;
}

/** `sprocket worker --server URL --token T` with only those: no SPROCKET_* settings of the servers reach it. */
async function startWorker(server: TestServer, extraEnv: Record<string, string> = {}): Promise<WorkerHost> {
  const clean = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("SPROCKET_"))), ...extraEnv };
  const child: ChildProcess = spawn(process.execPath, [CLI, "worker", "--server", server.url, "--token", server.token, "--data", tempDir()], {
    cwd: PACKAGE_ROOT,
    env: { ...clean, SPROCKET_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (data) => (output += data));
  child.stderr!.on("data", (data) => (output += data));
  await waitFor(() => output.includes("is working for") || child.exitCode !== null, { timeoutMs: 30_000, message: "the worker never started" });
  assert.equal(child.exitCode, null, output);
  process.on("exit", () => child.kill("SIGKILL"));
  return {
    pid: child.pid!,
    output: () => output,
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}

describe("sprocket worker hosts behind two API replicas (PostgreSQL + Redis)", { skip: !reachable && "no PostgreSQL or Redis reachable (see the SKIPPED line)" }, () => {
  let api1: TestServer;
  let api2: TestServer;
  let workers: WorkerHost[] = [];
  let slow: string;

  before(async () => {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const dataDir = tempDir();
    const adminToken = `r8_workers${tag}`;
    api1 = await startServer({ env, dataDir, adminToken });
    api2 = await startServer({ env, dataDir, adminToken });
    workers = await Promise.all([startWorker(api1), startWorker(api2)]);
    slow = await pushFixture(api1, "slow", "admin/slow");
  });
  after(async () => {
    await Promise.allSettled([...workers.map((w) => w.kill()), api1?.stop(), api2?.stop()]);
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
  });

  const workerOf = async (id: string) => String((await admin.query(`SELECT worker_id FROM ${schema}.predictions WHERE id = $1`, [id])).rows[0]?.worker_id);

  test("predictions made on either replica run on both worker hosts; the official client waits on the other replica", async () => {
    const created = await Promise.all(Array.from({ length: 8 }, (_, i) => [api1, api2][i % 2].client.predictions.create({ version: slow, input: { ms: 400 } })));
    const done = await Promise.all(created.map((p, i) => waitForPrediction([api2, api1][i % 2].client, p.id, undefined, 30_000)));
    assert.deepEqual(new Set(done.map((p) => p.status)), new Set(["succeeded"]), JSON.stringify(done.map((p) => p.error)));
    const hosts = new Set(await Promise.all(created.map((p) => workerOf(p.id))));
    for (const w of workers) assert.ok([...hosts].some((id) => id.includes(`-${w.pid}-`)), `worker ${w.pid} ran some (${[...hosts].join(", ")})`);
    assert.equal(await api2.client.run(`admin/slow:${slow}`, { input: { ms: 10 } }), "slept 10 ms");
  });

  test("version files, an uploaded input file and output files travel through the API", async () => {
    const files = await pushFixture(api2, "ts-files", "admin/ts-files");
    const out = await api1.client.run(`admin/ts-files:${files}`, { input: { size: 1000 } }) as { file: string; parts: string[] };
    const bytes = new Uint8Array(await (await fetch(out.file)).arrayBuffer());
    assert.equal(bytes.length, 1000);
    assert.ok(bytes.every((b, i) => b === i % 251));
    assert.equal(await (await fetch(out.parts[0].replace(new URL(out.parts[0]).origin, api2.url))).text(), "part a", "served by the other replica too");
    const info = await pushFixture(api1, "file-info", "admin/file-info");
    const upload = await api2.client.files.create(new Blob(["uploaded through replica 2"]), { filename: "note.txt" });
    const described = (await api1.client.run(`admin/file-info:${info}`, { input: { file: upload.urls.get } })) as { file: { text: string } };
    assert.equal(described.file.text, "uploaded through replica 2");
  });

  test("a Python iterator of files streams through a worker host: each file uploaded once, the final output naming the same files", { timeout: 30_000 }, async () => {
    const version = await pushDir(api1, path.join(PACKAGE_ROOT, "python", "tests", "fixtures", "stream"), "admin/py-stream");
    const output = (await api2.client.run(`admin/py-stream:${version}`, { input: { count: 3, pause: 0 } })) as string[];
    assert.equal(output.length, 3);
    assert.deepEqual(await Promise.all(output.map(async (url) => (await fetch(url)).text())), ["item 0", "item 1", "item 2"]);
  });

  test("Cancel-After ends a prediction running on a worker host", async () => {
    const created = await api(api1.url, "/v1/predictions", { token: api1.token, headers: { "cancel-after": "5s" }, body: JSON.stringify({ version: slow, input: { ms: 30_000 } }) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const done = await waitForPrediction(api2.client, created.body.id, undefined, 20_000);
    assert.equal(done.status, "canceled");
  });

  test("a cancel on one replica stops a prediction running on a worker host; duplicate creates on both replicas make one prediction", async () => {
    const running = await api1.client.predictions.create({ version: slow, input: { ms: 20_000 } });
    await waitFor(async () => (await api2.client.predictions.get(running.id)).status === "processing", { timeoutMs: 20_000 });
    await api2.client.predictions.cancel(running.id);
    assert.equal((await waitForPrediction(api1.client, running.id, undefined, 15_000)).status, "canceled");
    const body = JSON.stringify({ version: slow, input: { ms: 10 } });
    const answers = await Promise.all([api1, api2, api1, api2].map((s) => api(s.url, "/v1/predictions", { token: s.token, headers: { "idempotency-key": `dup-${tag}` }, body })));
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1, JSON.stringify(answers.map((a) => [a.status, a.body.id ?? a.body.detail])));
  });

  test("jobs for GPU hardware go only to a worker host that has it; the API replicas list its hardware", async () => {
    const bin = tempDir("sprocket-fake-gpu-");
    // A host with one T4, as `nvidia-smi --query-gpu=index,name --format=csv,noheader` reports it.
    writeFileSync(path.join(bin, "nvidia-smi"), '#!/bin/sh\nprintf "0, Tesla T4\\n"\n');
    chmodSync(path.join(bin, "nvidia-smi"), 0o755);
    const gpuHost = await startWorker(api2, { PATH: `${bin}${path.delimiter}${process.env.PATH}` });
    workers.push(gpuHost);
    await waitFor(async () => ((await api(api1.url, "/v1/hardware", { token: api1.token, method: "GET" })).body as { sku: string }[]).some((h) => h.sku === "gpu-tesla-t4"), {
      timeoutMs: 15_000,
      message: "the API replica never listed the worker's GPU",
    });
    await api1.client.models.create("admin", "gpu-probe", { visibility: "private", hardware: "gpu-tesla-t4" });
    const version = await pushFixture(api1, "gpu-probe", "admin/gpu-probe");
    const runs = await Promise.all([1, 2, 3].map(() => api2.client.predictions.create({ version, input: { ms: 0 } })));
    const done = await Promise.all(runs.map((p) => waitForPrediction(api1.client, p.id, undefined, 30_000)));
    for (const p of done) {
      assert.equal(p.status, "succeeded", String(p.error));
      assert.equal((p.output as { devices: string }).devices, "0", "the instance got the host's GPU");
      assert.ok((await workerOf(p.id)).includes(`-${gpuHost.pid}-`), "run on the GPU host, not a CPU one");
    }
  });

  test("a worker host SIGKILLed mid-prediction: its running prediction fails within 30 s saying why; every other accepted prediction finishes", async () => {
    const long = await Promise.all([1, 2, 3, 4].map((i) => [api1, api2][i % 2].client.predictions.create({ version: slow, input: { ms: 3_000 } })));
    // Whichever host runs one of them first is the one killed.
    const { id: onVictim, victim } = await waitFor(
      async () => {
        const rows = await admin.query(`SELECT id, worker_id FROM ${schema}.predictions WHERE status = 'processing' AND id = ANY($1)`, [long.map((p) => p.id)]);
        const row = rows.rows.find((r) => workers.some((w) => String(r.worker_id).includes(`-${w.pid}-`)));
        return row && { id: String(row.id), victim: workers.find((w) => String(row.worker_id).includes(`-${w.pid}-`))! };
      },
      { timeoutMs: 20_000, message: "none of the predictions ran" },
    );
    const more = await Promise.all([1, 2, 3].map(() => api2.client.predictions.create({ version: slow, input: { ms: 10 } })));
    const killedAt = Date.now();
    await victim.kill();
    const failed = await waitForPrediction(api1.client, onVictim, undefined, 30_000);
    assert.equal(failed.status, "failed");
    assert.match(String(failed.error), /stopped responding/);
    assert.ok(Date.now() - killedAt < 30_000, `${Date.now() - killedAt} ms`);
    const all = await Promise.all([...long, ...more].map((p) => waitForPrediction(api2.client, p.id, undefined, 60_000)));
    assert.ok(all.every((p) => TERMINAL.has(p.status)), "every accepted prediction ended");
    // What the killed host was running fails, saying why; everything else (queued, or claimed and not started there) succeeds.
    for (const p of all) {
      if (p.status === "succeeded") continue;
      assert.match(String(p.error), /stopped responding/, `${p.id}: ${p.status} ${p.error}`);
      assert.ok((await workerOf(p.id)).includes(`-${victim.pid}-`), `${p.id} failed but did not run on the killed host`);
    }
    assert.ok(all.filter((p) => p.status === "succeeded").length >= all.length - 2, "at most what the killed host ran at once (one per version) failed");
  });
});
