// Cold start and warm no-op overhead, the Python (Cog-format) runner next to the TypeScript one,
// with a bare Node HTTP server answering the same request as the baseline, all in one run on the
// same machine (docs/architecture.md §6 for the budget, §7 for the habit; targets from issue 3).
//
//   node packages/sprocket/bin/node-ts.mjs bench/cold-start.ts [--trials N] [--python PATH]
//
// --trials N: cold starts per runtime (default 8). --python PATH: the interpreter Sprocket runs
// Python models with (SPROCKET_PYTHON); by default `python3` from PATH, as a user's server has it.
//
// Cold start: each trial pushes a fresh version (a temporary copy of the model directory whose
// cog.yaml carries a unique comment, so its version id is new and no instance of it runs), then
// times one sync prediction on it (`POST /v1/predictions` with that version, `Prefer: wait`), from
// the request to the last byte of the 201 with status "succeeded": what a user sees, nothing
// subtracted. The push is timed on its own (it loads the module once to read the schema).
// Warm overhead: sequential sync predictions on a warm instance, measured by the load generator
// (bench/lib/load-client.ts) in a child process of its own, against the Python model, the TS
// model and the baseline server.
//
// Everything listens and connects on 127.0.0.1. Exits 1 if any request failed or a step broke.
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { collectDirectory } from "../packages/sprocket/src/models/bundle.ts";
import { argValue } from "./lib/args.ts";
import { freshRequest, type FreshReply } from "./lib/fresh-request.ts";
import type { LoadResult, LoadSpec } from "./lib/load-client.ts";
import { runLoad } from "./lib/load.ts";
import { REPO_ROOT, descendants, rssBytes, runToEnd } from "./lib/processes.ts";
import { formatNumber, renderTable, writeFigures } from "./lib/report.ts";
import { RunContext, log } from "./lib/run-context.ts";
import { startBaseline, startSprocket, type Target } from "./lib/servers.ts";
import { summarize, type LatencySummary } from "./lib/stats.ts";

const TOKEN = "bench-token";
const PY_MODEL = "admin/noop-python";
const TS_MODEL = "admin/noop";
const PY_DIR = path.join(REPO_ROOT, "bench/models/noop-python");
const TS_DIR = path.join(REPO_ROOT, "bench/models/noop");
/** Cold-start trials go to models of their own, so the warm models keep one version each. */
const COLD_MODEL = { python: "admin/cold-python", ts: "admin/cold-ts" } as const;
const TRIALS = Number(argValue("--trials") ?? 8);
const PYTHON = argValue("--python");
const WARMUP_SEQUENTIAL = 200;
const LATENCY_REQUESTS = 1000;
const WARM_ROUNDS = 4;
const THROUGHPUT_CLIENTS = 32;
const THROUGHPUT_MS = 3000;
/** Cog's own server on this machine (issue 3): what "far under" is measured against. */
const COG_P50_MS = 1.4;
const COG_PER_SECOND = 600;
const COLD_TARGET_MS = 400;
const WARM_DIFF_TARGET_MS = 0.3;
const MiB = 1024 * 1024;

type Runtime = "python" | "ts";
const RUNTIMES: Runtime[] = ["python", "ts"];

if (!Number.isInteger(TRIALS) || TRIALS < 1 || TRIALS > 50) {
  process.stderr.write("--trials must be an integer from 1 to 50\n");
  process.exit(2);
}

const run = new RunContext({ tmpPrefix: "sprocket-bench-cold-", maxFailureSamples: 10, announceLoadFailures: log });

async function startSprocketOwned(): Promise<Target> {
  const target = await startSprocket({
    token: TOKEN,
    dataDir: path.join(run.tmp, "data"),
    // Explicit, so an inherited short window cannot stop the warm instances between phases.
    env: { SPROCKET_INSTANCE_IDLE_SECONDS: "300", ...(PYTHON ? { SPROCKET_PYTHON: PYTHON } : {}) },
  });
  return run.own(target);
}

type Reply = FreshReply;

/** One request on a fresh loopback connection (as a client creating one prediction would). */
function request(base: string, method: string, urlPath: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Reply> {
  return freshRequest(base, TOKEN, method, urlPath, body, headers);
}

function expectOk(reply: Reply, what: string): unknown {
  if (reply.status < 200 || reply.status >= 300) throw new Error(`${what}: HTTP ${reply.status}: ${reply.text.slice(0, 500)}`);
  return reply.text ? JSON.parse(reply.text) : null;
}

interface Pushed {
  version: string;
  /** The whole API push: which blobs are missing, uploads, model check, the version. */
  totalMs: number;
  /** POST …/versions alone: the server materializes the bundle and loads the module for its schema. */
  versionMs: number;
}

/**
 * What `sprocket push` does over the API (packages/sprocket/src/processes/push.ts), done here so
 * the timing holds no CLI start-up: bundle the directory, upload what the server lacks, create
 * the model if missing, create the version.
 */
async function push(server: Target, dir: string, model: string): Promise<Pushed> {
  // The product's own bundler, so the version ids are exactly what `sprocket push` would make.
  const { manifest, sources } = collectDirectory(dir);
  const started = performance.now();
  const { missing } = expectOk(await request(server.url, "POST", "/v1/blobs/missing", JSON.stringify({ digests: [...sources.keys()] })), "blobs/missing") as { missing: string[] };
  for (const sha of missing) {
    expectOk(await request(server.url, "PUT", `/v1/blobs/${sha}`, readFileSync(sources.get(sha)!), { "content-type": "application/octet-stream" }), `PUT blob ${sha}`);
  }
  const [owner, name] = model.split("/") as [string, string];
  const existing = await request(server.url, "GET", `/v1/models/${model}`);
  if (existing.status === 404) {
    expectOk(await request(server.url, "POST", "/v1/models", JSON.stringify({ owner, name, visibility: "private" })), `create ${model}`);
  } else expectOk(existing, `GET ${model}`);
  const created = await request(server.url, "POST", `/v1/models/${model}/versions`, JSON.stringify({ files: manifest }));
  const version = expectOk(created, `push ${model}`) as { id: string; build_notes?: string[] };
  if (created.status !== 201) throw new Error(`push ${model}: expected a new version (201), got ${created.status}`);
  if (version.build_notes?.length) log(`${model} build notes: ${version.build_notes.join(" ")}`);
  return { version: version.id, totalMs: performance.now() - started, versionMs: created.ms };
}

interface ColdTrial {
  runtime: Runtime;
  push: Pushed;
  /** Request → last byte of the 201 with status "succeeded". */
  ms: number;
  /** created_at → started_at as the server recorded them: instance start and setup (ms precision). */
  untilStartedMs: number | null;
  instancesBefore: number;
  /** How long the schema-reading runner lived on after the push was answered (polled, ~2 ms). */
  schemaExitMs: number;
}

/** One cold start: a fresh version of the runtime's model, then one sync prediction on it. */
async function coldTrial(server: Target, runtime: Runtime, trial: number): Promise<ColdTrial | null> {
  const source = runtime === "python" ? PY_DIR : TS_DIR;
  const dir = path.join(run.tmp, "trials", `${runtime}-${trial}`);
  cpSync(source, dir, { recursive: true, filter: (p) => path.basename(p) !== "__pycache__" });
  const yaml = path.join(dir, "cog.yaml");
  writeFileSync(yaml, `${readFileSync(yaml, "utf8")}# cold-start trial ${trial} ${process.pid} ${Date.now()}\n`);
  const pushed = await push(server, dir, COLD_MODEL[runtime]);
  // The throwaway runner that read the schema may still be exiting (a TS one takes a while after
  // it answered): wait until it is gone, so the cold start runs on a machine as quiet as a user's.
  const pushedAt = performance.now();
  const lingering = () => descendants(server.pid).filter((c) => c.command.includes(pushed.version));
  while (lingering().length && performance.now() - pushedAt < 3000) await new Promise((r) => setTimeout(r, 2));
  const schemaExitMs = performance.now() - pushedAt;
  const instancesBefore = lingering().length;
  const x = 1000 + trial;
  const reply = await request(server.url, "POST", "/v1/predictions", JSON.stringify({ version: pushed.version, input: { x } }), { prefer: "wait" });
  let body: { status?: string; output?: unknown; created_at?: string; started_at?: string } = {};
  try {
    body = JSON.parse(reply.text);
  } catch {
    // reported below
  }
  if (reply.status !== 201 || body.status !== "succeeded" || body.output !== x) {
    run.recordFailure(`cold start ${runtime} #${trial}: HTTP ${reply.status}: ${reply.text.slice(0, 300)}`);
    return null;
  }
  const untilStartedMs = body.created_at && body.started_at ? Date.parse(body.started_at) - Date.parse(body.created_at) : null;
  return { runtime, push: pushed, ms: reply.ms, untilStartedMs, instancesBefore, schemaExitMs };
}

async function load(target: Target, spec: Omit<LoadSpec, "url" | "path" | "token">, urlPath: string, label: string): Promise<LoadResult> {
  const result = await runLoad({ url: target.url, path: urlPath, token: TOKEN, ...spec }, label);
  run.countLoadFailures(result, label);
  return result;
}

/** Where `python3` (or --python) resolves on PATH, and the interpreter it really runs. */
async function interpreter(): Promise<{ command: string; resolved: string | null; executable: string | null; version: string | null }> {
  const command = PYTHON ?? "python3";
  let resolved: string | null = command.includes("/") ? path.resolve(command) : null;
  if (!resolved) {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
      const candidate = path.join(dir, command);
      if (existsSync(candidate) && statSync(candidate).isFile()) {
        resolved = candidate;
        break;
      }
    }
  }
  try {
    const out = await runToEnd(command, ["-c", "import sys; print(sys.executable); print(sys.version.split()[0])"], { timeoutMs: 10_000, label: command });
    const [executable, version] = out.trim().split("\n");
    return { command, resolved, executable: executable ?? null, version: version ?? null };
  } catch {
    return { command, resolved, executable: null, version: null };
  }
}

/** CPU ms a process used, its reaped children included (utime, stime, cutime, cstime). */
function treeCpuWithReapedMs(pid: number | "self"): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU ms the whole machine has been busy (user, nice, system, irq, softirq; not idle or steal). */
function machineBusyMs(): number {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  return ((f[0]! + f[1]! + f[2]! + f[5]! + f[6]!) * 1000) / 100;
}

/** CPU used so far by this run: this process, everything it started, and their descendants. */
function ourCpuMs(): number {
  let total = treeCpuWithReapedMs("self");
  for (const pid of run.owned) {
    total += treeCpuWithReapedMs(pid);
    for (const d of descendants(pid)) total += treeCpuWithReapedMs(d.pid);
  }
  return total;
}

async function main(): Promise<number> {
  const busyAtStart = machineBusyMs();
  const oursAtStart = ourCpuMs();
  const runStarted = performance.now();
  log(`temp dir ${run.tmp}; starting the baseline server and sprocket serve`);
  const [baseline, sprocket, python] = await Promise.all([startBaseline(TOKEN).then((t) => run.own(t)), startSprocketOwned(), interpreter()]);

  // 1. The warm models.
  const pyWarm = await push(sprocket, PY_DIR, PY_MODEL);
  const tsWarm = await push(sprocket, TS_DIR, TS_MODEL);
  log(`pushed ${PY_MODEL} ${pyWarm.version.slice(0, 12)}… and ${TS_MODEL} ${tsWarm.version.slice(0, 12)}…`);

  // 2. Cold starts, alternating runtimes so drift on the machine hits both alike.
  log(`cold start: ${TRIALS} trial(s) per runtime (fresh version, then one sync prediction)`);
  const trials: Record<Runtime, ColdTrial[]> = { python: [], ts: [] };
  for (let i = 0; i < TRIALS; i++) {
    for (const runtime of RUNTIMES) {
      const trial = await coldTrial(sprocket, runtime, i);
      if (trial) {
        if (trial.instancesBefore) log(`cold start ${runtime} #${i}: a process of the fresh version still ran 3 s after the push`);
        trials[runtime].push(trial);
      }
    }
  }

  // 3 + 4. Warm overhead: warm-up, then sequential sync predictions; the baseline alike.
  const targets = [
    { key: "python", target: sprocket, urlPath: `/v1/models/${PY_MODEL}/predictions` },
    { key: "ts", target: sprocket, urlPath: `/v1/models/${TS_MODEL}/predictions` },
    { key: "baseline", target: baseline, urlPath: `/v1/models/${TS_MODEL}/predictions` },
  ] as const;
  log(`warm overhead: ${WARMUP_SEQUENTIAL} warm-up, then ${LATENCY_REQUESTS} sequential requests each, in ${WARM_ROUNDS} interleaved rounds`);
  for (const t of targets) await load(t.target, { mode: "sequential", requests: WARMUP_SEQUENTIAL }, t.urlPath, `${t.key} warm-up`);
  // Rounds in turn, the order rotated each round, so a slow patch of the machine does not land on
  // one side only; the samples of a side's rounds are merged.
  const samples: Record<string, number[]> = { python: [], ts: [], baseline: [] };
  for (let round = 0; round < WARM_ROUNDS; round++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(k + round) % targets.length]!;
      const result = await load(t.target, { mode: "sequential", requests: LATENCY_REQUESTS / WARM_ROUNDS, keepSamples: true }, t.urlPath, `${t.key} latency`);
      samples[t.key]!.push(...(result.samples ?? []));
    }
  }
  const warm = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)])) as Record<"python" | "ts" | "baseline", LatencySummary>;
  log(`throughput: ${THROUGHPUT_CLIENTS} clients for ${THROUGHPUT_MS / 1000} s each`);
  const tp: Record<string, LoadResult> = {};
  for (const t of targets) tp[t.key] = await load(t.target, { mode: "concurrent", concurrency: THROUGHPUT_CLIENTS, durationMs: THROUGHPUT_MS }, t.urlPath, `${t.key} throughput`);

  // The warm instances, by the version directory on their command lines or as their working directory.
  const children = run.ownDescendants(sprocket.pid);
  const instanceRss = (version: string) => {
    const found = children.filter((c) => (c.command.includes(version) || c.cwd.includes(version)) && !c.command.includes("--schema"));
    return found.length ? found.reduce((s, c) => s + (rssBytes(c.pid) ?? 0), 0) : null;
  };

  const cold = (runtime: Runtime) => {
    const list = trials[runtime];
    return {
      request: summarize(list.map((t) => t.ms)),
      untilStarted: summarize(list.flatMap((t) => (t.untilStartedMs === null ? [] : [t.untilStartedMs]))),
      push: summarize(list.map((t) => t.push.totalMs)),
      pushVersionRequest: summarize(list.map((t) => t.push.versionMs)),
      schemaRunnerExit: summarize(list.map((t) => t.schemaExitMs)),
      samples: list.map((t) => Math.round(t.ms * 10) / 10),
    };
  };
  const coldPy = cold("python");
  const coldTs = cold("ts");
  const warmDiffP50 = warm.python.p50 - warm.ts.p50;
  const warmDiffP99 = warm.python.p99 - warm.ts.p99;

  const rows: CRow[] = [
    { measure: `cold start p50: fresh version → sync prediction, request → 201 (ms; ${TRIALS} trials)`, python: coldPy.request.p50, ts: coldTs.request.p50, baseline: null, digits: 1, target: `Python ≤ ${COLD_TARGET_MS} ms`, meets: coldPy.request.p50 <= COLD_TARGET_MS },
    { measure: "cold start max (ms)", python: coldPy.request.max, ts: coldTs.request.max, baseline: null, digits: 1, target: `Python ≤ ${COLD_TARGET_MS} ms`, meets: coldPy.request.max <= COLD_TARGET_MS },
    { measure: "  of which created_at → started_at, p50 (instance start + setup, ms)", python: coldPy.untilStarted.p50, ts: coldTs.untilStarted.p50, baseline: null, digits: 0 },
    { measure: "push p50: blobs + model + POST …/versions (ms)", python: coldPy.push.p50, ts: coldTs.push.p50, baseline: null, digits: 1 },
    { measure: "push max (ms)", python: coldPy.push.max, ts: coldTs.push.max, baseline: null, digits: 1 },
    { measure: "  of which POST …/versions p50 (loads the module for its schema, ms)", python: coldPy.pushVersionRequest.p50, ts: coldTs.pushVersionRequest.p50, baseline: null, digits: 1 },
    { measure: `warm sync latency p50, 1 client (ms; ${LATENCY_REQUESTS} requests)`, python: warm.python.p50, ts: warm.ts.p50, baseline: warm.baseline.p50, digits: 3, target: `far under Cog's ${COG_P50_MS} ms: Python ${(warm.python.p50 / COG_P50_MS).toFixed(2)}×, TS ${(warm.ts.p50 / COG_P50_MS).toFixed(2)}× of it` },
    { measure: "warm sync latency p99, 1 client (ms)", python: warm.python.p99, ts: warm.ts.p99, baseline: warm.baseline.p99, digits: 3 },
    { measure: "warm p50 difference, Python − TS (ms)", python: warmDiffP50, ts: null, baseline: null, digits: 3, target: `≤ ${WARM_DIFF_TARGET_MS} ms`, meets: warmDiffP50 <= WARM_DIFF_TARGET_MS },
    { measure: "warm p99 difference, Python − TS (ms)", python: warmDiffP99, ts: null, baseline: null, digits: 3 },
    { measure: `throughput, ${THROUGHPUT_CLIENTS} clients (predictions/s; one at a time per instance)`, python: tp.python!.perSecond, ts: tp.ts!.perSecond, baseline: tp.baseline!.perSecond, digits: 0, target: `Cog ~${COG_PER_SECOND}/s: Python ${(tp.python!.perSecond / COG_PER_SECOND).toFixed(1)}×, TS ${(tp.ts!.perSecond / COG_PER_SECOND).toFixed(1)}× of it` },
    { measure: "idle RSS, warm instance (MiB)", python: mb(instanceRss(pyWarm.version)), ts: mb(instanceRss(tsWarm.version)), baseline: null, digits: 1 },
  ];

  // What other processes on the machine used meanwhile: on 2 cores a test suite or a build
  // running beside the benchmark moves cold starts by tens of percent.
  const othersCores = Math.max(0, machineBusyMs() - busyAtStart - (ourCpuMs() - oursAtStart)) / (performance.now() - runStarted);
  const cpus = os.cpus();
  const pythonLine =
    `python: ${python.command}` +
    (python.resolved ? ` → ${python.resolved}` : "") +
    (python.executable && python.resolved && path.resolve(python.executable) !== python.resolved ? ` (a wrapper; runs ${python.executable})` : "") +
    (python.version ? `, Python ${python.version}` : "");
  process.stdout.write(
    `\nSprocket cold start and warm overhead — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${new Date().toISOString()}\n` +
      `models ${PY_MODEL} (bench/models/noop-python, Cog predict.py) and ${TS_MODEL} (bench/models/noop); ${pythonLine}\n` +
      `baseline = bare node:http server in its own process answering the same request; "÷ base" = ratio to it\n` +
      `other processes used ${othersCores.toFixed(2)} of ${cpus.length} cores during the run` +
      (othersCores > 0.15 ? " — the machine was not quiet; compare runs taken on a quiet machine" : " (quiet)") +
      "\n\n" +
      coldTable(rows) +
      "\n\n" +
      `cold samples (ms): Python ${coldPy.samples.join(", ")}; TS ${coldTs.samples.join(", ")}\n` +
      `the schema-reading runner lived on after the push answered: p50 ${formatNumber(coldPy.schemaRunnerExit.p50, 0)} ms (Python), ${formatNumber(coldTs.schemaRunnerExit.p50, 0)} ms (TS); each cold start waited for it to exit\n` +
      `failed: ${run.totalFailures}; Cog's own server figures (${COG_P50_MS} ms p50, ~${COG_PER_SECOND}/s) are from issue 3, not measured here\n`,
  );

  const figures = {
    bench: "cold-start",
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    at: new Date().toISOString(),
    python,
    trials: TRIALS,
    otherProcessesCores: othersCores,
    failures: run.totalFailures,
    cold: { python: coldPy, ts: coldTs },
    warm: {
      python: warm.python,
      ts: warm.ts,
      baseline: warm.baseline,
      diffP50: warmDiffP50,
      diffP99: warmDiffP99,
    },
    throughput: Object.fromEntries(Object.entries(tp).map(([k, r]) => [k, { perSecond: r.perSecond, completed: r.completed, clients: THROUGHPUT_CLIENTS, latency: r.latency }])),
    instanceRssMiB: { python: mb(instanceRss(pyWarm.version)), ts: mb(instanceRss(tsWarm.version)) },
  };
  writeFigures(figures);
  return run.exitCode();
}

function mb(bytes: number | null): number | null {
  return bytes === null ? null : bytes / MiB;
}

interface CRow {
  measure: string;
  python: number | null;
  ts: number | null;
  baseline: number | null;
  digits: number;
  target?: string;
  meets?: boolean;
}

function ratio(value: number | null, base: number | null): string {
  if (value === null || base === null || !base || !Number.isFinite(value / base)) return "";
  return `${(value / base).toFixed(2)}×`;
}

function coldTable(rows: CRow[]): string {
  const header = ["measure", "Python", "TS", "baseline", "Python ÷ base", "TS ÷ base", "target"];
  const cell = (v: number | null, digits: number) => (v === null ? "" : formatNumber(v, digits));
  const lines = rows.map((r) => [
    r.measure,
    cell(r.python, r.digits),
    cell(r.ts, r.digits),
    cell(r.baseline, r.digits),
    ratio(r.python, r.baseline),
    ratio(r.ts, r.baseline),
    r.target ? (r.meets === undefined ? r.target : `${r.target} ${r.meets ? "(met)" : "(NOT met)"}`) : "",
  ]);
  return renderTable(header, lines, [false, true, true, true, true, true, false]);
}

await run.execute(main);
