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
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LoadResult, LoadSpec } from "./lib/load-client.ts";
import {
  NODE_TS,
  REPO_ROOT,
  SPROCKET_BIN,
  childrenOf,
  cpuMs,
  peakRssBytes,
  rssBytes,
  runToEnd,
  startAndWaitFor,
  stopAll,
  type ChildInfo,
} from "./lib/processes.ts";
import { table, type Row } from "./lib/report.ts";
import { startBaseline, startSprocket } from "./lib/servers.ts";

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
/** The whole run, cleanup included, stays under two minutes. */
const RUN_DEADLINE_MS = 110_000;
const MiB = 1024 * 1024;

const cpuProfDir = argValue("--cpu-prof");
const tmp = mkdtempSync(path.join(os.tmpdir(), "sprocket-bench-"));
/** Every process this run started or found (server children), for cleanup. */
const owned = new Set<number>();
let cleanedUp = false;

async function cleanup(): Promise<void> {
  if (cleanedUp) return;
  cleanedUp = true;
  const pids = [...owned];
  // Collect descendants once more: an instance started late is still ours to stop.
  for (const pid of pids) for (const d of descendants(pid)) owned.add(d.pid);
  // Parents first (a graceful server stops its own instance), then whatever is left.
  await stopAll([...owned], 5000);
  rmSync(tmp, { recursive: true, force: true });
}

function descendants(pid: number): ChildInfo[] {
  return childrenOf(pid).flatMap((c) => [c, ...descendants(c.pid)]);
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Target {
  name: "Sprocket" | "baseline";
  url: string;
  pid: number;
}

async function startBaselineOwned(): Promise<Target> {
  const target = { ...(await startBaseline(TOKEN)), name: "baseline" as const };
  owned.add(target.pid);
  return target;
}

async function startSprocketOwned(): Promise<Target> {
  // Node refuses --cpu-prof in NODE_OPTIONS, so it goes on the server's own command line (the
  // model instance, a grandchild, is not profiled).
  const nodeFlags = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : [];
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const target = { ...(await startSprocket({ token: TOKEN, dataDir: path.join(tmp, "data"), nodeFlags })), name: "Sprocket" as const };
  owned.add(target.pid);
  return target;
}

async function push(server: Target, dir: string, model: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, SPROCKET_API_TOKEN: TOKEN };
  delete env.SPROCKET_CONFIG;
  const stdout = await runToEnd(process.execPath, [SPROCKET_BIN, "push", dir, model, "--server", server.url], {
    env,
    timeoutMs: 30_000,
    label: "sprocket push",
  });
  const lines = stdout.trim().split("\n");
  return lines[lines.length - 1]!.trim();
}

let totalFailures = 0;
const failureSamples: string[] = [];

async function load(target: Target, spec: Omit<LoadSpec, "url" | "path" | "token">, label: string, urlPath = PATH): Promise<LoadResult> {
  const full: LoadSpec = { url: target.url, path: urlPath, token: TOKEN, ...spec };
  const stdout = await runToEnd(process.execPath, [NODE_TS, path.join(REPO_ROOT, "bench/lib/load-client.ts"), JSON.stringify(full)], {
    timeoutMs: (spec.durationMs ?? 0) + 60_000,
    label: `load generator (${target.name}, ${label})`,
  });
  const result = JSON.parse(stdout.trim().split("\n").pop()!) as LoadResult;
  if (result.failures) {
    totalFailures += result.failures;
    for (const s of result.failureSamples) failureSamples.push(`${target.name} ${label}: ${s}`);
    process.stderr.write(`${target.name} ${label}: ${result.failures} failed request(s), e.g. ${result.failureSamples[0]}\n`);
  }
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

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(): Promise<number> {
  log(`temp dir ${tmp}; starting the baseline server and sprocket serve`);
  const [baseline, sprocket] = await Promise.all([startBaselineOwned(), startSprocketOwned()]);
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
  for (const d of descendants(sprocket.pid)) owned.add(d.pid);

  log(`sync latency: ${LATENCY_REQUESTS} sequential requests each`);
  const latencyBaseline = await load(baseline, { mode: "sequential", requests: LATENCY_REQUESTS }, "latency");
  const latencySprocket = await load(sprocket, { mode: "sequential", requests: LATENCY_REQUESTS }, "latency");

  log(`throughput: ${THROUGHPUT_CLIENTS} clients for ${THROUGHPUT_MS / 1000} s each`);
  const tpBaseline = await throughput(baseline);
  const tpSprocket = await throughput(sprocket);
  const tpConcurrent = await throughput(sprocket, CONCURRENT_PATH, "throughput (concurrent model)");

  log(`letting both servers settle for ${SETTLE_MS / 1000} s before reading memory`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const children = descendants(sprocket.pid);
  for (const d of children) owned.add(d.pid);
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
      `failed: ${totalFailures}\n` +
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
    failures: totalFailures,
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
  process.stdout.write(`${JSON.stringify(figures, (_k, v) => (typeof v === "number" ? Math.round(v * 1000) / 1000 : v))}\n`);

  if (totalFailures) {
    process.stderr.write(`FAILED: ${totalFailures} request(s) did not return a succeeded prediction:\n  ${failureSamples.join("\n  ")}\n`);
    return 1;
  }
  return 0;
}

function formatMiB(bytes: number | null): string {
  return bytes === null ? "gone" : `${(bytes / MiB).toFixed(1)} MiB`;
}

const watchdog = setTimeout(() => {
  process.stderr.write(`[bench] still running after ${RUN_DEADLINE_MS / 1000} s; stopping everything\n`);
  void cleanup().finally(() => process.exit(1));
}, RUN_DEADLINE_MS);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

let code = 1;
try {
  code = await main();
} catch (error) {
  process.stderr.write(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
process.exit(code);
