// Stream latency (issue 4): how long a streamed item takes from the model's yield to an SSE client
// reading urls.stream, against a bare node:http SSE server whose own timer produces the same items,
// measured in the same run on the same machine and printed as ratios.
//
//   node packages/sprocket/bin/node-ts.mjs bench/stream-latency.ts [--cpu-prof DIR]
//
// --cpu-prof DIR: the Sprocket server process writes a V8 CPU profile into DIR when it exits (the
// model instance is not profiled); summarize it with bench/cpu-profile-summary.ts. Profiled
// figures include the profiler's overhead: do not quote them.
//
// Each item is "<seq> <ms>", stamped by its producer (bench/models/stream-clock, or
// bench/lib/sse-baseline-server.ts) with performance.timeOrigin + performance.now() right before
// it is yielded or written; the client (bench/lib/sse-client.ts, in this process, which does
// nothing else meanwhile) reads the same clock as each chunk arrives. Loopback only. Exits 1 if a
// run failed (HTTP error, missing, malformed or out-of-order items, no `done`, or a prediction that
// did not succeed with every item in its output).
import os from "node:os";
import path from "node:path";
import { argValue } from "./lib/args.ts";
import { NODE_TS, REPO_ROOT, cpuMs, descendants, startAndWaitFor } from "./lib/processes.ts";
import { pushModel } from "./lib/push.ts";
import { table, writeFigures, type Row } from "./lib/report.ts";
import { RunContext, log } from "./lib/run-context.ts";
import { startSprocket, type Target } from "./lib/servers.ts";
import { clockOffsetMs, readStream, type StreamRun } from "./lib/sse-client.ts";
import { summarize, type LatencySummary } from "./lib/stats.ts";

const TOKEN = "bench-token";
const MODEL = "admin/stream-clock";
const MODEL_DIR = path.join(REPO_ROOT, "bench/models/stream-clock");
/** Items per measured run, and the producer's pause between them (ms). */
const COUNT = 500;
const PAUSE_MS = 5;
/** Measured runs per side, interleaved with the other side's (order rotated each round). */
const ROUNDS = 3;
/** Items at the start of each run left out of the figures (the stream may still be connecting). */
const SKIP_ITEMS = 10;
/** The discarded first run per side: starts Sprocket's model instance, warms both code paths. */
const WARMUP_COUNT = 100;
const STREAM_TIMEOUT_MS = 30_000;

const cpuProfDir = argValue("--cpu-prof");
const run = new RunContext({ tmpPrefix: "sprocket-bench-stream-", maxFailureSamples: 10 });

interface Side {
  target: Target;
  /** Creates whatever produces `count` items and reads its stream to the end. */
  stream(count: number): Promise<StreamRun>;
}

async function startSseBaseline(): Promise<Target> {
  const started = await startAndWaitFor(process.execPath, [NODE_TS, path.join(REPO_ROOT, "bench/lib/sse-baseline-server.ts")], /listening on (http:\/\/\S+)/, {
    timeoutMs: 20_000,
    label: "SSE baseline server",
  });
  return { name: "baseline", url: started.match, pid: started.child.pid! };
}

/** The fields of a prediction (or an error body) this benchmark reads. */
interface PredictionReply {
  id?: string;
  status?: string;
  error?: string | null;
  output?: unknown;
  urls?: { stream?: string };
}

async function api(target: Target, method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: PredictionReply | null }> {
  const response = await fetch(new URL(urlPath, target.url), {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STREAM_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: PredictionReply | null = null;
  try {
    json = text ? (JSON.parse(text) as PredictionReply) : null;
  } catch {
    json = { error: `unparsed reply: ${text.slice(0, 300)}` };
  }
  return { status: response.status, json };
}

function sprocketSide(target: Target): Side {
  return {
    target,
    async stream(count) {
      const created = await api(target, "POST", `/v1/models/${MODEL}/predictions`, { input: { count, pause: PAUSE_MS } });
      const streamUrl = created.json?.urls?.stream;
      const id = created.json?.id;
      if (created.status !== 201 || typeof streamUrl !== "string" || !id) {
        return { items: [], done: null, errors: [`create: HTTP ${created.status} ${JSON.stringify(created.json).slice(0, 300)}`], chunks: 0, headersAt: NaN };
      }
      const result = await readStream(streamUrl, STREAM_TIMEOUT_MS);
      const final = await api(target, "GET", `/v1/predictions/${id}`);
      const output = final.json?.output;
      if (final.json?.status !== "succeeded") result.errors.push(`prediction ${id} is ${final.json?.status}: ${final.json?.error ?? ""}`);
      else if (!Array.isArray(output) || output.length !== count) result.errors.push(`prediction ${id}: output has ${Array.isArray(output) ? output.length : "no"} items, not ${count}`);
      return result;
    },
  };
}

function baselineSide(target: Target): Side {
  return { target, stream: (count) => readStream(`${target.url}/stream?count=${count}&pause=${PAUSE_MS}`, STREAM_TIMEOUT_MS) };
}

/** Checks a run's stream: every item, in order, then `done` with "{}"; failures go to the run context. */
function check(result: StreamRun, count: number, where: string): boolean {
  const problems = [...result.errors];
  if (result.items.length !== count) problems.push(`${result.items.length} items, not ${count}`);
  if (result.done !== "{}") problems.push(result.done === null ? "no done event" : `done event ${result.done}`);
  for (const p of problems) run.recordFailure(`${where}: ${p}`);
  return problems.length === 0;
}

interface Cpu {
  server: number;
  children: number;
}

function treeCpuMs(pid: number): Cpu {
  return { server: cpuMs(pid) ?? 0, children: descendants(pid).reduce((sum, d) => sum + (cpuMs(d.pid) ?? 0), 0) };
}

interface Measured {
  /** Latency (ms) of every measured item, all runs together. */
  latencies: number[];
  /** The same, items from the second half of each run only: per-item cost growing with the output shows here. */
  secondHalf: number[];
  items: number;
  chunks: number;
  cpu: Cpu;
}

async function measure(side: Side, into: Measured, where: string): Promise<void> {
  const before = treeCpuMs(side.target.pid);
  const result = await side.stream(COUNT);
  const after = treeCpuMs(side.target.pid);
  into.cpu.server += after.server - before.server;
  into.cpu.children += after.children - before.children;
  into.chunks += result.chunks;
  into.items += result.items.length;
  if (!check(result, COUNT, where)) return;
  for (const item of result.items.slice(SKIP_ITEMS)) {
    into.latencies.push(item.receivedAt - item.sentAt);
    if (item.seq >= COUNT / 2) into.secondHalf.push(item.receivedAt - item.sentAt);
  }
}

async function main(): Promise<number> {
  const offsetAtStart = clockOffsetMs();
  log(`temp dir ${run.tmp}; starting the SSE baseline server and sprocket serve`);
  const nodeFlags = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : [];
  const [baselineTarget, sprocketTarget] = await Promise.all([
    startSseBaseline().then((t) => run.own(t)),
    startSprocket({ token: TOKEN, dataDir: path.join(run.tmp, "data"), nodeFlags, env: { SPROCKET_INSTANCE_IDLE_SECONDS: "300" } }).then((t) => run.own(t)),
  ]);
  const version = await pushModel(sprocketTarget, TOKEN, MODEL_DIR, MODEL);
  log(`pushed ${MODEL} version ${version.slice(0, 12)}…; warm-up run of ${WARMUP_COUNT} items each`);
  const sides = { sprocket: sprocketSide(sprocketTarget), baseline: baselineSide(baselineTarget) };
  for (const [name, side] of Object.entries(sides)) check(await side.stream(WARMUP_COUNT), WARMUP_COUNT, `${name} warm-up`);
  run.ownDescendants(sprocketTarget.pid);

  log(`${ROUNDS} rounds of ${COUNT} items, ${PAUSE_MS} ms apart, per side`);
  const empty = (): Measured => ({ latencies: [], secondHalf: [], items: 0, chunks: 0, cpu: { server: 0, children: 0 } });
  const measured = { sprocket: empty(), baseline: empty() };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["sprocket", "baseline"] as const) : (["baseline", "sprocket"] as const);
    for (const name of order) await measure(sides[name], measured[name], `${name} round ${round + 1}`);
  }
  const offsetAtEnd = clockOffsetMs();

  const s = summarize(measured.sprocket.latencies);
  const b = summarize(measured.baseline.latencies);
  const minOf = (xs: number[]) => xs.reduce((m, x) => Math.min(m, x), Infinity);
  const perItemUs = (cpu: number, m: Measured) => (m.items ? (cpu * 1000) / m.items : null);
  const row = (metric: string, pick: (l: LatencySummary) => number, extra: Partial<Row> = {}): Row => ({ metric, sprocket: pick(s), baseline: pick(b), digits: 3, ...extra });
  const rows: Row[] = [
    row("item latency p50, yield → SSE client (ms)", (l) => l.p50, { target: "≤ 1 ms", meets: s.p50 <= 1 }),
    row("item latency p90 (ms)", (l) => l.p90),
    row("item latency p99 (ms)", (l) => l.p99),
    row("item latency max (ms)", (l) => l.max),
    row("item latency mean (ms)", (l) => l.mean),
    { metric: "added over baseline, p50 (ms)", sprocket: s.p50 - b.p50, baseline: null, digits: 3 },
    { metric: "items per socket read (mean)", sprocket: measured.sprocket.items / (measured.sprocket.chunks || 1), baseline: measured.baseline.items / (measured.baseline.chunks || 1), digits: 2 },
    { metric: "server CPU per item, all processes (µs)", sprocket: perItemUs(measured.sprocket.cpu.server + measured.sprocket.cpu.children, measured.sprocket), baseline: perItemUs(measured.baseline.cpu.server, measured.baseline), digits: 0 },
    { metric: "  of which API server process (µs)", sprocket: perItemUs(measured.sprocket.cpu.server, measured.sprocket), baseline: perItemUs(measured.baseline.cpu.server, measured.baseline), digits: 0 },
    { metric: "  of which model instance (µs)", sprocket: perItemUs(measured.sprocket.cpu.children, measured.sprocket), baseline: null, digits: 0 },
  ];

  const cpus = os.cpus();
  process.stdout.write(
    `\nSprocket stream benchmark — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${new Date().toISOString()}\n` +
      `${MODEL} streaming ${COUNT} items ${PAUSE_MS} ms apart, read from urls.stream; baseline = bare node:http SSE server (own timer) in its own process\n` +
      `${ROUNDS} runs per side, first ${SKIP_ITEMS} items of each left out: ${s.count} / ${b.count} items measured; min latency ${minOf(measured.sprocket.latencies).toFixed(3)} / ${minOf(measured.baseline.latencies).toFixed(3)} ms; ` +
      `clock offset vs wall clock ${offsetAtStart.toFixed(3)} ms at start, ${offsetAtEnd.toFixed(3)} ms at end; failed: ${run.totalFailures}\n` +
      (cpuProfDir ? "NOTE: --cpu-prof was on; these figures include profiling overhead.\n" : "") +
      "\n" +
      table(rows) +
      "\n\n",
  );
  writeFigures({
    bench: "stream-latency",
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    at: new Date().toISOString(),
    failures: run.totalFailures,
    count: COUNT,
    pauseMs: PAUSE_MS,
    rounds: ROUNDS,
    skipItems: SKIP_ITEMS,
    clockOffsetMs: { start: offsetAtStart, end: offsetAtEnd },
    sprocket: { latency: s, secondHalfP50: summarize(measured.sprocket.secondHalf).p50, min: minOf(measured.sprocket.latencies), itemsPerRead: measured.sprocket.items / (measured.sprocket.chunks || 1), serverCpuMs: measured.sprocket.cpu.server, instanceCpuMs: measured.sprocket.cpu.children, items: measured.sprocket.items },
    baseline: { latency: b, secondHalfP50: summarize(measured.baseline.secondHalf).p50, min: minOf(measured.baseline.latencies), itemsPerRead: measured.baseline.items / (measured.baseline.chunks || 1), serverCpuMs: measured.baseline.cpu.server, items: measured.baseline.items },
  });
  return run.exitCode();
}

await run.execute(main);
