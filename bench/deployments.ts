// Deployments and instance pools (issue 6): cold start → first output for a no-setup TS and
// Python model, and a burst of short predictions drained by a deployment with max_instances 2,
// against the ideal computed from one warm prediction measured in the same run.
//
//   node packages/sprocket/bin/node-ts.mjs bench/deployments.ts [--trials N] [--burst N]
//
// Cold start: each trial pushes a fresh version (a copy of bench/models/noop or noop-python whose
// cog.yaml carries a unique comment; min 0, so no instance of it runs) and times one sync
// prediction on it (`POST /v1/predictions`, `Prefer: wait`): request → last byte of the 201 with
// status "succeeded", nothing subtracted. Median of the trials.
// Burst: a deployment of bench/models/sleep (each prediction sleeps 20 ms) with min 2 and max 2,
// both instances warm first. One warm sync prediction on it, repeated, gives the per-prediction
// time (median); then N sync predictions are sent at once, each on its own connection, and the
// drain time (first request → last reply) is compared with N × per-prediction ÷ 2.
//
// Everything listens and connects on 127.0.0.1. Exits 1 if any request failed.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { argValue } from "./lib/args.ts";
import { freshRequest, type FreshReply } from "./lib/fresh-request.ts";
import { REPO_ROOT, descendants } from "./lib/processes.ts";
import { pushModel } from "./lib/push.ts";
import { formatNumber, renderTable, writeFigures } from "./lib/report.ts";
import { RunContext, log } from "./lib/run-context.ts";
import { startSprocket, type Target } from "./lib/servers.ts";
import { summarize } from "./lib/stats.ts";

const TOKEN = "bench-token";
const TRIALS = Number(argValue("--trials") ?? 5);
const BURST = Number(argValue("--burst") ?? 100);
const SLEEP_MS = 20;
const WARM_SAMPLES = 9;
const MAX_INSTANCES = 2;
const TARGET_MS = { ts: 150, python: 400 } as const;
const MODELS = { ts: path.join(REPO_ROOT, "bench/models/noop"), python: path.join(REPO_ROOT, "bench/models/noop-python") } as const;
type Runtime = keyof typeof MODELS;

if (!Number.isInteger(TRIALS) || TRIALS < 1 || TRIALS > 20 || !Number.isInteger(BURST) || BURST < 2 || BURST > 500) {
  process.stderr.write("--trials must be 1 to 20 and --burst 2 to 500\n");
  process.exit(2);
}

const run = new RunContext({ tmpPrefix: "sprocket-bench-deploy-", maxFailureSamples: 10 });

interface Reply extends FreshReply {
  body: { status?: string; output?: unknown; error?: unknown; sprocket_pool?: { instances: { state: string }[] } } | null;
}

/** One request on a fresh loopback connection, as a client creating one prediction would. */
async function request(server: Target, method: string, urlPath: string, body?: object, headers: Record<string, string> = {}): Promise<Reply> {
  const reply = await freshRequest(server.url, TOKEN, method, urlPath, body === undefined ? undefined : JSON.stringify(body), headers);
  let parsed: Reply["body"] = null;
  try {
    parsed = JSON.parse(reply.text);
  } catch {
    // reported by the caller through `text`
  }
  return { ...reply, body: parsed };
}

/** A sync prediction answered 201 "succeeded", or a recorded failure (null). */
function succeeded(reply: Reply, what: string): Reply | null {
  if (reply.status === 201 && reply.body?.status === "succeeded") return reply;
  run.recordFailure(`${what}: HTTP ${reply.status}: ${reply.text.slice(0, 300)}`);
  return null;
}

/** One cold start: a fresh version of the runtime's model, then one sync prediction on it. */
async function coldTrial(server: Target, runtime: Runtime, trial: number): Promise<number | null> {
  const dir = path.join(run.tmp, "trials", `${runtime}-${trial}`);
  cpSync(MODELS[runtime], dir, { recursive: true, filter: (p) => path.basename(p) !== "__pycache__" });
  const yaml = path.join(dir, "cog.yaml");
  writeFileSync(yaml, `${readFileSync(yaml, "utf8")}# deployments bench trial ${trial} ${process.pid} ${Date.now()}\n`);
  const version = await pushModel(server, TOKEN, dir, `admin/cold-${runtime}`);
  // The runner that read the schema at push may still be exiting: let it go, so it does not
  // share the CPU with the cold start.
  const since = performance.now();
  while (descendants(server.pid).some((c) => c.command.includes(version)) && performance.now() - since < 3000) await new Promise((r) => setTimeout(r, 2));
  const reply = succeeded(await request(server, "POST", "/v1/predictions", { version, input: { x: trial } }, { prefer: "wait" }), `cold start ${runtime} #${trial}`);
  return reply?.ms ?? null;
}

async function main(): Promise<number> {
  log(`temp dir ${run.tmp}; starting sprocket serve`);
  // Room for every cold trial's idle instance and the deployment's two: a deployment's min
  // instances do not stop idle ones at the host's cap (only waiting work does).
  const server = run.own(await startSprocket({ token: TOKEN, dataDir: path.join(run.tmp, "data"), env: { SPROCKET_INSTANCE_IDLE_SECONDS: "300", SPROCKET_MAX_INSTANCES: "32" } }));

  // 1. Cold starts, alternating runtimes so drift on the machine hits both alike.
  log(`cold start: ${TRIALS} trial(s) per runtime (fresh version, min 0, then one sync prediction)`);
  const cold: Record<Runtime, number[]> = { ts: [], python: [] };
  for (let i = 0; i < TRIALS; i++) {
    for (const runtime of ["ts", "python"] as const) {
      const ms = await coldTrial(server, runtime, i);
      if (ms !== null) cold[runtime].push(ms);
    }
  }

  // 2. The burst, on a deployment whose two instances are warm first.
  const version = await pushModel(server, TOKEN, path.join(REPO_ROOT, "bench/models/sleep"), "admin/sleep");
  const created = await request(server, "POST", "/v1/deployments", { name: "burst", model: "admin/sleep", version, hardware: "cpu", min_instances: MAX_INSTANCES, max_instances: MAX_INSTANCES });
  if (created.status < 200 || created.status >= 300) throw new Error(`deployment create: HTTP ${created.status}: ${created.text}`);
  const since = performance.now();
  for (;;) {
    const read = await request(server, "GET", "/v1/deployments/admin/burst");
    if ((read.body?.sprocket_pool?.instances ?? []).filter((i) => i.state === "ready").length === MAX_INSTANCES) break;
    if (performance.now() - since > 30_000) throw new Error(`the deployment's ${MAX_INSTANCES} instances were not ready after 30 s: ${read.text}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const predict = (what: string) => request(server, "POST", "/v1/deployments/admin/burst/predictions", { input: { ms: SLEEP_MS } }, { prefer: "wait" }).then((r) => succeeded(r, what));
  const warm: number[] = [];
  for (let i = 0; i < WARM_SAMPLES; i++) {
    const reply = await predict(`warm prediction #${i}`);
    if (reply) warm.push(reply.ms);
  }
  const perPrediction = summarize(warm).p50;
  const ideal = (BURST * perPrediction) / MAX_INSTANCES;
  log(`burst: ${BURST} sync predictions at once on max_instances ${MAX_INSTANCES} (each sleeps ${SLEEP_MS} ms; warm prediction p50 ${perPrediction.toFixed(1)} ms)`);
  const burstStarted = performance.now();
  const replies = await Promise.all(Array.from({ length: BURST }, (_, i) => predict(`burst prediction #${i}`)));
  const drain = performance.now() - burstStarted;
  const burstOk = replies.filter(Boolean).length;

  const ts = summarize(cold.ts);
  const py = summarize(cold.python);
  const cpus = os.cpus();
  const rows = [
    [`cold start → first output, TS model, p50 (ms; ${cold.ts.length} trials)`, formatNumber(ts.p50, 1), `≤ ${TARGET_MS.ts} ms ${ts.p50 <= TARGET_MS.ts ? "(met)" : "(NOT met)"}`],
    ["cold start, TS model, max (ms)", formatNumber(ts.max, 1), ""],
    [`cold start → first output, Python model, p50 (ms; ${cold.python.length} trials)`, formatNumber(py.p50, 1), `≤ ${TARGET_MS.python} ms ${py.p50 <= TARGET_MS.python ? "(met)" : "(NOT met)"}`],
    ["cold start, Python model, max (ms)", formatNumber(py.max, 1), ""],
    [`warm prediction on the deployment, p50 (ms; sleeps ${SLEEP_MS} ms)`, formatNumber(perPrediction, 1), ""],
    [`burst of ${BURST}: ideal drain, ${BURST} × warm ÷ ${MAX_INSTANCES} (ms)`, formatNumber(ideal, 0), ""],
    [`burst of ${BURST}: drain, first request → last reply (ms)`, formatNumber(drain, 0), ""],
    ["burst: drain ÷ ideal", `${(drain / ideal).toFixed(2)}×`, ""],
  ];
  process.stdout.write(
    `\nSprocket deployments — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${new Date().toISOString()}\n` +
      `cold: bench/models/noop (TS) and bench/models/noop-python (Cog predict.py on the host's python3); burst: bench/models/sleep on a deployment, min ${MAX_INSTANCES} max ${MAX_INSTANCES}\n\n` +
      renderTable(["measure", "value", "target"], rows, [false, true, false]) +
      `\n\ncold samples (ms): TS ${cold.ts.map((v) => v.toFixed(1)).join(", ")}; Python ${cold.python.map((v) => v.toFixed(1)).join(", ")}\n` +
      `burst: ${burstOk} of ${BURST} succeeded; failed requests overall: ${run.totalFailures}\n`,
  );
  writeFigures({
    bench: "deployments",
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    at: new Date().toISOString(),
    cold: { ts, python: py, samples: cold },
    burst: { predictions: BURST, maxInstances: MAX_INSTANCES, sleepMs: SLEEP_MS, warmPredictionMs: summarize(warm), idealMs: ideal, drainMs: drain, ratio: drain / ideal, succeeded: burstOk },
  });
  return run.exitCode();
}

await run.execute(main);
