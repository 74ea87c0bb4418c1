// What scoped tokens and Idempotency-Key cost a create (issue 12): sync predictions on the bundled
// hello model with a full token (the baseline, same run), with a scoped token (its grant checked on
// every request), with a fresh Idempotency-Key each time (a claim row written and completed), and a
// replay of one key (answered from the first prediction; no model run). Requests interleave, one at a
// time on one keep-alive connection, so drift on the machine hits every kind alike.
//
//   npm run bench:create
//   # same as: node packages/sprocket/bin/node-ts.mjs bench/create-overhead.ts [--requests N]
import os from "node:os";
import path from "node:path";
import { argValue } from "./lib/args.ts";
import { formatNumber, renderTable, writeFigures } from "./lib/report.ts";
import { RunContext, log } from "./lib/run-context.ts";
import { startSprocket } from "./lib/servers.ts";
import { summarize } from "./lib/stats.ts";

const TOKEN = "bench-token";
const REQUESTS = Number(argValue("--requests") ?? 1500);
const WARMUP = 100;
const run = new RunContext({ tmpPrefix: "sprocket-bench-create-", maxFailureSamples: 10 });

async function main(): Promise<number> {
  const server = run.own(await startSprocket({ token: TOKEN, dataDir: path.join(run.tmp, "data"), env: { SPROCKET_EXAMPLES: "hello" } }));
  const headers = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, "content-type": "application/json", prefer: "wait", ...extra });
  const made = await fetch(`${server.url}/v1/tokens`, { method: "POST", headers: headers(TOKEN), body: JSON.stringify({ scopes: ["predictions.create"], models: ["admin/hello"] }) });
  const scoped = ((await made.json()) as { token: string }).token;
  const kinds: Record<string, (i: number) => Record<string, string>> = {
    "full token (baseline)": () => headers(TOKEN),
    "scoped token": () => headers(scoped),
    "full token + new Idempotency-Key": (i) => headers(TOKEN, { "idempotency-key": `bench-${i}` }),
    "replayed Idempotency-Key": () => headers(TOKEN, { "idempotency-key": "bench-0" }),
  };
  const samples = Object.fromEntries(Object.keys(kinds).map((k) => [k, [] as number[]]));
  const body = JSON.stringify({ input: { name: "Ada" } });
  log(`${REQUESTS} sync creates of each kind, interleaved (first ${WARMUP} of each not counted)`);
  for (let i = 0; i < REQUESTS; i++) {
    for (const [kind, make] of Object.entries(kinds)) {
      const started = performance.now();
      const response = await fetch(`${server.url}/v1/models/admin/hello/predictions`, { method: "POST", headers: make(i), body });
      const text = await response.text();
      if (response.status !== 201) run.recordFailure(`${kind}: HTTP ${response.status}: ${text.slice(0, 200)}`);
      else if (i >= WARMUP) samples[kind].push(performance.now() - started);
    }
  }
  const baseline = summarize(samples["full token (baseline)"]);
  const rows = Object.entries(samples).map(([kind, xs]) => {
    const s = summarize(xs);
    return [kind, formatNumber(s.p50, 3), formatNumber(s.p90, 3), `${(s.p50 / baseline.p50).toFixed(2)}×`, `${s.p50 - baseline.p50 >= 0 ? "+" : ""}${(s.p50 - baseline.p50).toFixed(3)}`];
  });
  const cpus = os.cpus();
  process.stdout.write(
    `\nSprocket create overhead — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${new Date().toISOString()}\n` +
      `sync creates (Prefer: wait) on admin/hello, one keep-alive connection, kinds interleaved\n\n` +
      renderTable(["kind", "p50 (ms)", "p90 (ms)", "p50 ÷ baseline", "p50 − baseline (ms)"], rows, [false, true, true, true, true]) +
      `\n\nfailed requests: ${run.totalFailures}\n`,
  );
  writeFigures({ bench: "create-overhead", node: process.version, cpus: cpus.length, at: new Date().toISOString(), kinds: Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, summarize(xs)])) });
  return run.exitCode();
}

await run.execute(main);
