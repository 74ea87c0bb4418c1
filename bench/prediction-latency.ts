// Prediction latency and throughput: Sprocket running the no-op model (bench/models/noop) against
// a bare Node HTTP server answering the same request, measured in the same run on the same machine
// and printed as ratios (docs/architecture.md §6 for the budget, §7 for the habit).
//
//   node packages/sprocket/bin/node-ts.mjs bench/prediction-latency.ts [--cpu-prof DIR]
//
// --cpu-prof DIR: the Sprocket server process writes a V8 CPU profile into DIR when it exits; summarize one with bench/cpu-profile-summary.ts. Profiling slows the server, so the
// figures of such a run are not the ones to quote.
//
// Everything runs on loopback, in child processes: the baseline server, `sprocket serve`, and the
// load generator (bench/lib/load-client.ts), so no server shares an event loop with its client.
// Exits 1 if any request failed (non-2xx or a prediction that did not succeed) or a step broke.
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { argValue } from "./lib/args.ts";
import type { LoadResult, LoadSpec } from "./lib/load-client.ts";
import { runLoad } from "./lib/load.ts";
import { REPO_ROOT, SPROCKET_BIN, cpuMs, descendants, peakRssBytes, rssBytes, runToEnd, type ChildInfo } from "./lib/processes.ts";
import { table, writeFigures, type Row } from "./lib/report.ts";
import { RunContext, log } from "./lib/run-context.ts";
import { pushModel } from "./lib/push.ts";
import { startBaseline, startSprocket, type Target } from "./lib/servers.ts";

const TOKEN = "bench-token";
const MODEL = "admin/noop";
const MODEL_DIR = path.join(REPO_ROOT, "bench/models/noop");
/** The same no-op model declaring `concurrency: 32`: throughput without one-at-a-time dispatch. */
const CONCURRENT_MODEL = "admin/noop-concurrent";
const CONCURRENT_MODEL_DIR = path.join(REPO_ROOT, "bench/models/noop-concurrent");
const PATH = `/v1/models/${MODEL}/predictions`;
const CONCURRENT_PATH = `/v1/models/${CONCURRENT_MODEL}/predictions`;
const WARMUP_SEQUENTIAL = 300;
const WARMUP_CONCURRENT_MS = 1000;
const LATENCY_REQUESTS = 2000;
const THROUGHPUT_CLIENTS = 32;
const THROUGHPUT_MS = 5000;
const SETTLE_MS = 3000;
const MiB = 1024 * 1024;

const cpuProfDir = argValue("--cpu-prof");
const run = new RunContext({ tmpPrefix: "sprocket-bench-" });

async function startSprocketOwned(): Promise<Target> {
  // Node refuses --cpu-prof in NODE_OPTIONS, so it goes on the server's own command line (the
  // model instance, a grandchild, is not profiled).
  const nodeFlags = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : [];
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  return run.own(await startSprocket({ token: TOKEN, dataDir: path.join(run.tmp, "data"), nodeFlags }));
}

const push = (server: Target, dir: string, model: string) => pushModel(server, TOKEN, dir, model);

async function load(target: Target, spec: Omit<LoadSpec, "url" | "path" | "token">, label: string, urlPath = PATH): Promise<LoadResult> {
  const result = await runLoad({ url: target.url, path: urlPath, token: TOKEN, ...spec }, `${target.name}, ${label}`);
  run.countLoadFailures(result, `${target.name} ${label}`);
  return result;
}

interface CpuSplit {
  /** The server process itself. */
  server: number;
  /** Its descendants (for Sprocket: the model instances). */
  children: number;
}

/** CPU ms used so far by a process, and by everything under it. */
function treeCpuMs(pid: number): CpuSplit {
  return { server: cpuMs(pid) ?? 0, children: descendants(pid).reduce((sum, d) => sum + (cpuMs(d.pid) ?? 0), 0) };
}

interface Throughput {
  result: LoadResult;
  /** CPU the server side used during the run, in ms. */
  cpu: CpuSplit;
}

async function throughput(target: Target, urlPath = PATH, label = "throughput"): Promise<Throughput> {
  const before = treeCpuMs(target.pid);
  const result = await load(target, { mode: "concurrent", concurrency: THROUGHPUT_CLIENTS, durationMs: THROUGHPUT_MS }, label, urlPath);
  const after = treeCpuMs(target.pid);
  return { result, cpu: { server: after.server - before.server, children: after.children - before.children } };
}

async function main(): Promise<number> {
  log(`temp dir ${run.tmp}; starting the baseline server and sprocket serve`);
  const [baseline, sprocket] = await Promise.all([startBaseline(TOKEN).then((t) => run.own(t)), startSprocketOwned()]);
  const version = await push(sprocket, MODEL_DIR, MODEL);
  await push(sprocket, CONCURRENT_MODEL_DIR, CONCURRENT_MODEL);
  // Before any prediction: what the server costs fresh, to compare with after the load.
  const freshServerRss = rssBytes(sprocket.pid);
  const freshBaselineRss = rssBytes(baseline.pid);
  log(`pushed ${MODEL} version ${version.slice(0, 12)}… and ${CONCURRENT_MODEL}; warming up`);

  for (const target of [baseline, sprocket]) {
    await load(target, { mode: "sequential", requests: WARMUP_SEQUENTIAL }, "warm-up (sequential)");
    await load(target, { mode: "concurrent", concurrency: THROUGHPUT_CLIENTS, durationMs: WARMUP_CONCURRENT_MS }, "warm-up (concurrent)");
  }
  await load(sprocket, { mode: "concurrent", concurrency: THROUGHPUT_CLIENTS, durationMs: WARMUP_CONCURRENT_MS }, "warm-up (concurrent model)", CONCURRENT_PATH);
  run.ownDescendants(sprocket.pid);

  log(`sync latency: ${LATENCY_REQUESTS} sequential requests each`);
  const latencyBaseline = await load(baseline, { mode: "sequential", requests: LATENCY_REQUESTS }, "latency");
  const latencySprocket = await load(sprocket, { mode: "sequential", requests: LATENCY_REQUESTS }, "latency");

  log(`throughput: ${THROUGHPUT_CLIENTS} clients for ${THROUGHPUT_MS / 1000} s each`);
  const tpBaseline = await throughput(baseline);
  const tpSprocket = await throughput(sprocket);
  const tpConcurrent = await throughput(sprocket, CONCURRENT_PATH, "throughput (concurrent model)");

  log(`letting both servers settle for ${SETTLE_MS / 1000} s before reading memory`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const children = run.ownDescendants(sprocket.pid);
  // One warm instance per pushed model; the table counts the noop model's (its command line names
  // its version directory) and lists the concurrent model's apart, as an extra.
  const isInstance = (c: ChildInfo) => c.command.includes("runner/main.ts");
  const instances = children.filter((c) => isInstance(c) && c.command.includes(version));
  const extraInstances = children.filter((c) => isInstance(c) && !c.command.includes(version));
  const others = children.filter((c) => !isInstance(c));
  const sum = (pids: number[], read: (pid: number) => number | null) => pids.reduce((s, p) => s + (read(p) ?? 0), 0);
  const memory = {
    serverRss: rssBytes(sprocket.pid),
    serverPeakRss: peakRssBytes(sprocket.pid),
    instanceRss: instances.length ? sum(instances.map((c) => c.pid), rssBytes) : null,
    instanceCount: instances.length,
    otherChildren: others.map((c) => ({ pid: c.pid, rss: rssBytes(c.pid), command: c.command })),
    baselineRss: rssBytes(baseline.pid),
    baselinePeakRss: peakRssBytes(baseline.pid),
  };
  const sprocketTotalRss = (memory.serverRss ?? 0) + (memory.instanceRss ?? 0) + sum(others.map((c) => c.pid), rssBytes);

  const mb = (bytes: number | null) => (bytes === null ? null : bytes / MiB);
  const perPrediction = (cpuMs: number, r: LoadResult) => (r.completed ? (cpuMs * 1000) / r.completed : null);
  const total = (cpu: CpuSplit) => cpu.server + cpu.children;
  const rows: Row[] = [
    { metric: "sync latency p50, 1 client (ms)", sprocket: latencySprocket.latency.p50, baseline: latencyBaseline.latency.p50, digits: 3, target: "≤ 1 ms", meets: latencySprocket.latency.p50 <= 1 },
    { metric: "sync latency p99, 1 client (ms)", sprocket: latencySprocket.latency.p99, baseline: latencyBaseline.latency.p99, digits: 3, target: "≤ 5 ms", meets: latencySprocket.latency.p99 <= 5 },
    { metric: "sync latency max, 1 client (ms)", sprocket: latencySprocket.latency.max, baseline: latencyBaseline.latency.max, digits: 3 },
    { metric: `throughput, ${THROUGHPUT_CLIENTS} clients (predictions/s)`, sprocket: tpSprocket.result.perSecond, baseline: tpBaseline.result.perSecond, digits: 0, target: "≥ 5,000/s", meets: tpSprocket.result.perSecond >= 5000 },
    { metric: `throughput, ${THROUGHPUT_CLIENTS} clients, model with concurrency 32 (/s)`, sprocket: tpConcurrent.result.perSecond, baseline: tpBaseline.result.perSecond, digits: 0 },
    { metric: `latency p50 under ${THROUGHPUT_CLIENTS} clients (ms)`, sprocket: tpSprocket.result.latency.p50, baseline: tpBaseline.result.latency.p50, digits: 2 },
    { metric: `latency p99 under ${THROUGHPUT_CLIENTS} clients (ms)`, sprocket: tpSprocket.result.latency.p99, baseline: tpBaseline.result.latency.p99, digits: 2 },
    { metric: "server CPU per prediction, all processes (µs)", sprocket: perPrediction(total(tpSprocket.cpu), tpSprocket.result), baseline: perPrediction(total(tpBaseline.cpu), tpBaseline.result), digits: 0 },
    { metric: "  of which API server process (µs)", sprocket: perPrediction(tpSprocket.cpu.server, tpSprocket.result), baseline: perPrediction(tpBaseline.cpu.server, tpBaseline.result), digits: 0 },
    { metric: "  of which model instance (µs)", sprocket: perPrediction(tpSprocket.cpu.children, tpSprocket.result), baseline: null, digits: 0 },
    { metric: "load-generator CPU per prediction (µs)", sprocket: perPrediction(tpSprocket.result.clientCpuMs, tpSprocket.result), baseline: perPrediction(tpBaseline.result.clientCpuMs, tpBaseline.result), digits: 0 },
    { metric: "RSS before any prediction, server process (MiB)", sprocket: mb(freshServerRss), baseline: mb(freshBaselineRss), digits: 1 },
    { metric: "idle RSS, server process (MiB)", sprocket: mb(memory.serverRss), baseline: mb(memory.baselineRss), digits: 1 },
    { metric: "idle RSS, warm model instance (MiB)", sprocket: mb(memory.instanceRss), baseline: null, digits: 1 },
    { metric: "idle RSS, all processes (MiB)", sprocket: mb(sprocketTotalRss), baseline: mb(memory.baselineRss), digits: 1, target: "≤ 150 MB", meets: sprocketTotalRss <= 150 * MiB },
    { metric: "peak RSS, server process (MiB)", sprocket: mb(memory.serverPeakRss), baseline: mb(memory.baselinePeakRss), digits: 1 },
  ];

  const cpus = os.cpus();
  process.stdout.write(
    `\nSprocket prediction benchmark — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${new Date().toISOString()}\n` +
      `no-op model ${MODEL}, POST ${PATH} with Prefer: wait; baseline = bare node:http server in its own process\n` +
      (cpuProfDir ? "NOTE: --cpu-prof was on; these figures include profiling overhead.\n" : "") +
      "\n" +
      table(rows) +
      "\n\n" +
      `requests: latency ${LATENCY_REQUESTS} each; throughput ${tpSprocket.result.completed} (Sprocket) / ${tpBaseline.result.completed} (baseline) in ~${THROUGHPUT_MS / 1000} s; ` +
      `failed: ${run.totalFailures}\n` +
      `Sprocket processes: server pid ${sprocket.pid}; ${MODEL} instance ${instances.map((c) => c.pid).join(", ") || "none"}` +
      `; ${CONCURRENT_MODEL} instance ${extraInstances.map((c) => `${c.pid} (${formatMiB(rssBytes(c.pid))}, not counted above)`).join(", ") || "none"}` +
      (others.length ? `; other children: ${memory.otherChildren.map((c) => `${c.pid} (${formatMiB(c.rss)}, ${c.command.slice(0, 60)})`).join(", ")}` : "") +
      "\n",
  );
  if (memory.instanceCount !== 1) log(`expected one warm instance, found ${memory.instanceCount}`);

  const figures = {
    bench: "prediction-latency",
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    at: new Date().toISOString(),
    failures: run.totalFailures,
    sprocket: {
      latency: latencySprocket.latency,
      throughput: { perSecond: tpSprocket.result.perSecond, completed: tpSprocket.result.completed, clients: THROUGHPUT_CLIENTS, latency: tpSprocket.result.latency, serverCpuMs: tpSprocket.cpu.server, instanceCpuMs: tpSprocket.cpu.children, clientCpuMs: tpSprocket.result.clientCpuMs },
      throughputConcurrentModel: { perSecond: tpConcurrent.result.perSecond, completed: tpConcurrent.result.completed, clients: THROUGHPUT_CLIENTS, latency: tpConcurrent.result.latency, serverCpuMs: tpConcurrent.cpu.server, instanceCpuMs: tpConcurrent.cpu.children },
      memory: { freshServerRssMiB: mb(freshServerRss), serverRssMiB: mb(memory.serverRss), instanceRssMiB: mb(memory.instanceRss), totalRssMiB: mb(sprocketTotalRss), serverPeakRssMiB: mb(memory.serverPeakRss) },
    },
    baseline: {
      latency: latencyBaseline.latency,
      throughput: { perSecond: tpBaseline.result.perSecond, completed: tpBaseline.result.completed, clients: THROUGHPUT_CLIENTS, latency: tpBaseline.result.latency, serverCpuMs: tpBaseline.cpu.server, clientCpuMs: tpBaseline.result.clientCpuMs },
      memory: { freshServerRssMiB: mb(freshBaselineRss), serverRssMiB: mb(memory.baselineRss), serverPeakRssMiB: mb(memory.baselinePeakRss) },
    },
  };
  writeFigures(figures);
  return run.exitCode();
}

function formatMiB(bytes: number | null): string {
  return bytes === null ? "gone" : `${(bytes / MiB).toFixed(1)} MiB`;
}

await run.execute(main);
