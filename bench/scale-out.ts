// Scale-out against embedded mode on the same machine, in the same run: the no-op model
// (concurrency 32) behind 2 API replicas (`serve --no-worker`) + 2 worker hosts (`sprocket worker
// --server`, reaching the API only) on PostgreSQL + Redis, against one `sprocket serve` on SQLite. Throughput with clients
// spread over the two API replicas, and sync latency p50/p99 of one client, printed as ratios
// (scale-out ÷ embedded).
//
//   node packages/sprocket/bin/node-ts.mjs bench/scale-out.ts
//
// Needs PostgreSQL (SPROCKET_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; a
// schema of its own, dropped after) and Redis (SPROCKET_TEST_REDIS_URL, default 127.0.0.1:6379; a
// key prefix of its own). On 2 cores all five processes and the load generators share the CPUs, so
// the scale-out figures show its overhead (network hops to Redis and PostgreSQL), not its reach.
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { LoadResult, LoadSpec } from "./lib/load-client.ts";
import { runLoad } from "./lib/load.ts";
import { REPO_ROOT, SPROCKET_BIN, startAndWaitFor } from "./lib/processes.ts";
import { pushModel } from "./lib/push.ts";
import { table, writeFigures, type Row } from "./lib/report.ts";
import { RunContext, log } from "./lib/run-context.ts";
import { startSprocket, type Target } from "./lib/servers.ts";

const TOKEN = "bench-token";
const MODEL = "admin/noop-concurrent";
const MODEL_DIR = path.join(REPO_ROOT, "bench/models/noop-concurrent");
const PATH = `/v1/models/${MODEL}/predictions`;
const CLIENTS = 32;
const THROUGHPUT_MS = 5000;
const LATENCY_REQUESTS = 1000;

const run = new RunContext({ tmpPrefix: "sprocket-bench-scale-" });
const databaseBase = process.env.SPROCKET_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const redisUrl = process.env.SPROCKET_TEST_REDIS_URL || "redis://127.0.0.1:6379";
const tag = randomBytes(5).toString("hex");
const schema = `sprocket_bench_${tag}`;

async function load(target: Target, spec: Omit<LoadSpec, "url" | "path" | "token">, label: string): Promise<LoadResult> {
  const result = await runLoad({ url: target.url, path: PATH, token: TOKEN, ...spec }, `${target.name}, ${label}`);
  run.countLoadFailures(result, `${target.name} ${label}`);
  return result;
}

/** `clients` spread evenly over `targets`, all at once; the completed predictions per second summed. */
async function throughput(targets: Target[], label: string): Promise<{ perSecond: number; completed: number; p50: number; p99: number }> {
  const results = await Promise.all(targets.map((t) => load(t, { mode: "concurrent", concurrency: CLIENTS / targets.length, durationMs: THROUGHPUT_MS }, label)));
  return {
    perSecond: results.reduce((sum, r) => sum + r.perSecond, 0),
    completed: results.reduce((sum, r) => sum + r.completed, 0),
    // The worst replica's percentiles (conservative).
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
  };
}

async function main(): Promise<number> {
  const admin = new pg.Pool({ connectionString: databaseBase, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    const shared = {
      SPROCKET_DATABASE_URL: `${databaseBase}${databaseBase.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      SPROCKET_REDIS_URL: redisUrl,
      SPROCKET_REDIS_PREFIX: `sprocket-bench-${tag}`,
    };
    const dataDir = path.join(run.tmp, "shared");
    log("starting embedded sprocket serve, then 2 API replicas + 2 worker hosts on PostgreSQL + Redis");
    const embedded = run.own(await startSprocket({ token: TOKEN, dataDir: path.join(run.tmp, "embedded") }));
    embedded.name = "embedded";
    const api1 = run.own(await startSprocket({ token: TOKEN, dataDir, env: { ...shared, SPROCKET_WORKER: "false" } }));
    const api2 = run.own(await startSprocket({ token: TOKEN, dataDir, env: { ...shared, SPROCKET_WORKER: "false" } }));
    // Each worker host talks to one replica, as two hosts behind a load balancer might.
    const [worker1, worker2] = await Promise.all(
      [api1, api2].map(async (api, i) => {
        const env: NodeJS.ProcessEnv = { ...process.env, SPROCKET_LOG_LEVEL: "warn" };
        for (const key of Object.keys(env)) if (key.startsWith("SPROCKET_") && key !== "SPROCKET_LOG_LEVEL") delete env[key];
        const started = await startAndWaitFor(process.execPath, [SPROCKET_BIN, "worker", "--server", api.url, "--token", TOKEN, "--data", path.join(run.tmp, `worker-${i}`)], /is working for/, { env, timeoutMs: 30_000, label: "sprocket worker" });
        return run.own({ name: `worker-${i + 1}`, url: api.url, pid: started.child.pid! });
      }),
    );
    api1.name = "api-1";
    api2.name = "api-2";
    await pushModel(embedded, TOKEN, MODEL_DIR, MODEL);
    await pushModel(api1, TOKEN, MODEL_DIR, MODEL);
    log("warming up");
    for (const t of [embedded, api1, api2]) await load(t, { mode: "concurrent", concurrency: 8, durationMs: 1500 }, "warm-up");
    run.ownDescendants(worker1.pid);
    run.ownDescendants(worker2.pid);

    log(`sync latency: ${LATENCY_REQUESTS} sequential requests each`);
    const latEmbedded = await load(embedded, { mode: "sequential", requests: LATENCY_REQUESTS }, "latency");
    const latScale = await load(api1, { mode: "sequential", requests: LATENCY_REQUESTS }, "latency");
    log(`throughput: ${CLIENTS} clients for ${THROUGHPUT_MS / 1000} s`);
    const tpEmbedded = await throughput([embedded], "throughput");
    const tpScale = await throughput([api1, api2], "throughput");

    const rows: Row[] = [
      { metric: "sync latency p50, 1 client (ms)", sprocket: latScale.latency.p50, baseline: latEmbedded.latency.p50, digits: 2 },
      { metric: "sync latency p99, 1 client (ms)", sprocket: latScale.latency.p99, baseline: latEmbedded.latency.p99, digits: 2 },
      { metric: `throughput, ${CLIENTS} clients (predictions/s)`, sprocket: tpScale.perSecond, baseline: tpEmbedded.perSecond, digits: 0 },
      { metric: `latency p50 under ${CLIENTS} clients (ms)`, sprocket: tpScale.p50, baseline: tpEmbedded.p50, digits: 2 },
      { metric: `latency p99 under ${CLIENTS} clients (ms)`, sprocket: tpScale.p99, baseline: tpEmbedded.p99, digits: 2 },
    ];
    const cpus = os.cpus();
    process.stdout.write(
      `\nSprocket scale-out benchmark — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${new Date().toISOString()}\n` +
        `no-op model ${MODEL}, POST ${PATH} with Prefer: wait. scale-out = 2 API replicas (serve --no-worker) + 2 sprocket worker hosts, PostgreSQL + Redis; embedded = one sprocket serve (SQLite)\n\n` +
        table(rows).replace("Sprocket", "scale-out").replace("baseline", "embedded") +
        `\n\nrequests: throughput ${tpScale.completed} (scale-out) / ${tpEmbedded.completed} (embedded); failed: ${run.totalFailures}\n`,
    );
    writeFigures({ bench: "scale-out", node: process.version, cpus: cpus.length, rows, failures: run.totalFailures });
    return run.totalFailures === 0 ? 0 : 1;
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
  }
}

await run.execute(main);
