// The model author's inner loop (issue 10): edit-to-answer time under `sprocket dev`, and push
// time for a model with a big weight file before and after a one-line code change, each next to a
// baseline measured in the same run on the same machine and printed as a ratio.
//
//   npm run bench:dev
//   # same as: node packages/sprocket/bin/node-ts.mjs bench/dev-loop.ts [--edits N] [--size BYTES]
//
// Method.
//   (a) Edit to answer. `sprocket serve` (bench/lib/servers.ts) and, per language, a scaffold from
//       `sprocket init --typescript|--python` watched by `sprocket dev DIR --model admin/dev-LANG`
//       (the real command, its own process). After its first `version … ready` line, N edits
//       (default 5): each rewrites the greeting in predict.ts / predict.py (`hello` → `eK`), and
//       the clock starts once writeFileSync returns; then `POST /v1/deployments/admin/dev-LANG/
//       predictions` with `Prefer: wait`, one after another, until one answers `eK Ada`: the clock
//       stops at that 201. So the figure is everything a user waits for: the watcher's debounce
//       (200 ms), build, push, the deployment's rollover and the new instance's start and setup().
//       Baseline: `sprocket predict DIR -i name=Ada` after the same kind of edit, i.e. what a user
//       without a dev loop does (one local run: a fresh process, setup() and the prediction).
//   (b) Push with a big weight file. A TypeScript scaffold plus weights.bin (1 GB = 10^9 bytes of
//       a byte pattern, or less when the temp disk has under 4× that free; the table says which),
//       pushed with `sprocket push` (a new process, a fresh hash cache): first push (hash +
//       upload), then a one-line change to predict.ts and the push again (cache hit for the
//       weights, one small blob sent). Baselines, timed in this process: `cp -r` of the model
//       directory (the least a "copy the model somewhere" step costs) and sha256 of the weight
//       file with node:crypto in 1 MiB pieces (the least a content-addressed push must read).
// Loopback only; everything lives in one temp dir, removed at the end. Exits 1 if a step failed.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, statfsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { argValue } from "./lib/args.ts";
import { writePatternFile } from "./lib/byte-pattern.ts";
import { SPROCKET_BIN, runToEnd } from "./lib/processes.ts";
import { formatNumber, table, writeFigures, type Row } from "./lib/report.ts";
import { RunContext, log } from "./lib/run-context.ts";
import { startSprocket } from "./lib/servers.ts";

const TOKEN = "r8_bench_dev_loop";
const EDITS = Number(argValue("--edits") ?? 5);
const WANTED_SIZE = Number(argValue("--size") ?? 1e9);
const EDIT_TARGET_MS = 2000;
const REPUSH_TARGET_MS = 1000;

const run = new RunContext({ tmpPrefix: "sprocket-bench-dev-" });

/** The CLI's environment: this run's server and token, its own config and hash cache. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("SPROCKET_") || key === "REPLICATE_API_TOKEN") delete env[key];
  return { ...env, SPROCKET_API_TOKEN: TOKEN, XDG_CONFIG_HOME: path.join(run.tmp, "config"), XDG_CACHE_HOME: path.join(run.tmp, "cache") };
}

const sprocket = (args: string[], timeoutMs = 60_000) => runToEnd(process.execPath, [SPROCKET_BIN, ...args], { env: cliEnv(), timeoutMs, label: `sprocket ${args[0]}` });

async function timed<T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

const PREDICTOR = { typescript: "predict.ts", python: "predict.py" } as const;
/** The scaffold's greeting line, in each language (`hello` is what the edits replace). */
const GREETING = { typescript: /`[a-z0-9]+ \$\{name\}`/, python: /f"[a-z0-9]+ \{name\}"/ } as const;
const greeting = (language: keyof typeof PREDICTOR, word: string) => (language === "typescript" ? `\`${word} \${name}\`` : `f"${word} {name}"`);

function edit(dir: string, language: keyof typeof PREDICTOR, word: string): void {
  const file = path.join(dir, PREDICTOR[language]);
  const before = readFileSync(file, "utf8");
  if (!GREETING[language].test(before)) throw new Error(`${file}: the scaffold's greeting line was not found`);
  writeFileSync(file, before.replace(GREETING[language], greeting(language, word)));
}

async function editToAnswer(url: string, language: keyof typeof PREDICTOR): Promise<{ samples: number[]; baseline: number[] }> {
  const dir = path.join(run.tmp, `dev-${language}`);
  await sprocket(["init", `--${language}`, dir]);
  const model = `admin/dev-${language}`;
  const child = spawn(process.execPath, [SPROCKET_BIN, "dev", dir, "--server", url, "--model", model], { env: cliEnv(), stdio: ["ignore", "pipe", "pipe"] });
  run.own({ pid: child.pid! });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const readyCount = () => (out.match(/^version [0-9a-f]{64} ready/gm) ?? []).length;
  const deadline = Date.now() + 30_000;
  while (readyCount() < 1) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`sprocket dev (${language}) never printed a ready line:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }

  const samples: number[] = [];
  for (let k = 0; k < EDITS; k++) {
    const word = `e${k}`;
    edit(dir, language, word);
    const start = performance.now();
    for (;;) {
      const response = await fetch(`${url}/v1/deployments/${model}/predictions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", prefer: "wait" },
        body: JSON.stringify({ input: { name: "Ada" } }),
      });
      const body = (await response.json()) as { status?: string; output?: unknown };
      if (response.status !== 201 || body.status !== "succeeded") {
        run.recordFailure(`${language} edit ${k}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
        break;
      }
      if (body.output === `${word} Ada`) {
        samples.push(performance.now() - start);
        break;
      }
      if (performance.now() - start > 30_000) {
        run.recordFailure(`${language} edit ${k}: still answering ${JSON.stringify(body.output)} after 30 s\n${out.slice(-2000)}`);
        break;
      }
    }
    log(`${language} edit ${k}: ${formatNumber(samples.at(-1) ?? null, 0)} ms`);
  }
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (c) => resolve(c))));
  if (code !== 0) run.recordFailure(`sprocket dev (${language}) exited ${code} on Ctrl-C:\n${out.slice(-2000)}`);

  // The loop without a dev server: edit, then one local `sprocket predict` (fresh process + setup()).
  const baseline: number[] = [];
  for (let k = 0; k < Math.min(EDITS, 3); k++) {
    const word = `b${k}`;
    edit(dir, language, word);
    const { ms, value } = await timed(() => sprocket(["predict", dir, "-i", "name=Ada"]));
    if (value.trim() !== `${word} Ada`) run.recordFailure(`${language} predict baseline answered ${JSON.stringify(value.trim())}`);
    baseline.push(ms);
  }
  return { samples, baseline };
}

/** sha256 of a file with node:crypto, 1 MiB at a time: the least reading it for a digest costs. */
function sha256File(file: string): string {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  const fd = openSync(file, "r");
  try {
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

async function bigPush(url: string, size: number) {
  const dir = path.join(run.tmp, "big");
  await sprocket(["init", "--typescript", dir]);
  const weights = path.join(dir, "weights.bin");
  const write = await timed(() => writePatternFile(weights, size, 17));
  log(`wrote ${size.toLocaleString("en-US")} bytes of weights in ${write.ms.toFixed(0)} ms`);

  const cp = await timed(
    () =>
      new Promise<void>((resolve, reject) =>
        spawn("cp", ["-r", dir, path.join(run.tmp, "big-copy")], { stdio: "ignore" }).once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`cp exited ${code}`)))),
      ),
  );
  const sha = await timed(() => sha256File(weights));
  const push = (label: string) => timed(() => sprocket(["push", dir, "admin/big", "--server", url], 120_000)).then((r) => (log(`${label}: ${r.ms.toFixed(0)} ms`), r));
  const first = await push("first push");
  appendLine(path.join(dir, "predict.ts"));
  const second = await push("push after a one-line change");
  if (first.value.trim() === second.value.trim()) run.recordFailure("the one-line change did not make a new version");
  return { cpMs: cp.ms, shaMs: sha.ms, firstMs: first.ms, secondMs: second.ms };
}

function appendLine(file: string): void {
  writeFileSync(file, `${readFileSync(file, "utf8")}// a one-line change\n`);
}

async function main(): Promise<number> {
  const began = performance.now();
  const server = run.own(await startSprocket({ token: TOKEN, dataDir: path.join(run.tmp, "data"), env: { SPROCKET_INSTANCE_IDLE_SECONDS: "300" } }));
  log(`sprocket serve at ${server.url}`);

  const ts = await editToAnswer(server.url, "typescript");
  const py = await editToAnswer(server.url, "python");

  // 1 GB needs about 3× its size on the temp disk (the file, its copy, the server's blob); 4× to leave room.
  const free = statfsSync(run.tmp).bavail * statfsSync(run.tmp).bsize;
  const size = free >= 4 * WANTED_SIZE ? WANTED_SIZE : Math.floor(free / 8 / 1e6) * 1e6;
  const big = await bigPush(server.url, size);
  const elapsedS = (performance.now() - began) / 1000;

  const rows: Row[] = [
    { metric: "edit → answer, TypeScript (ms, median) [b: edit → `sprocket predict`]", sprocket: median(ts.samples), baseline: median(ts.baseline), digits: 0, target: `< ${EDIT_TARGET_MS}`, meets: median(ts.samples) < EDIT_TARGET_MS },
    { metric: "edit → answer, Python (ms, median) [b: edit → `sprocket predict`]", sprocket: median(py.samples), baseline: median(py.baseline), digits: 0, target: `< ${EDIT_TARGET_MS}`, meets: median(py.samples) < EDIT_TARGET_MS },
    { metric: `first push, ${formatNumber(size / 1e9, 2)} GB weights (ms) [b: cp -r]`, sprocket: big.firstMs, baseline: big.cpMs, digits: 0 },
    { metric: "push after a one-line change (ms) [b: cp -r]", sprocket: big.secondMs, baseline: big.cpMs, digits: 0, target: `< ${REPUSH_TARGET_MS}`, meets: big.secondMs < REPUSH_TARGET_MS },
    { metric: "push after a one-line change (ms) [b: sha256 of the weights]", sprocket: big.secondMs, baseline: big.shaMs, digits: 0 },
  ];
  const cpus = os.cpus();
  process.stdout.write(
    `\nSprocket dev-loop benchmark — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${new Date().toISOString()}, ${elapsedS.toFixed(1)} s\n` +
      `edit → answer: ${EDITS} edits per language, every sample (ms): TS ${ts.samples.map((x) => x.toFixed(0)).join(", ")}; Python ${py.samples.map((x) => x.toFixed(0)).join(", ")}\n` +
      `weights: ${size.toLocaleString("en-US")} bytes${size < WANTED_SIZE ? ` (NOT the ${WANTED_SIZE.toLocaleString("en-US")} asked for: ${(free / 1e9).toFixed(1)} GB free on the temp disk)` : ""}; ` +
      `sha256 of them ${big.shaMs.toFixed(0)} ms (${((size / 1e6) / (big.shaMs / 1000)).toFixed(0)} MB/s); failed: ${run.totalFailures}\n\n` +
      table(rows) +
      "\n\n",
  );
  writeFigures({
    bench: "dev-loop",
    node: process.version,
    cpus: cpus.length,
    at: new Date().toISOString(),
    failures: run.totalFailures,
    editToAnswerMs: { typescript: { median: median(ts.samples), samples: ts.samples, baseline: ts.baseline }, python: { median: median(py.samples), samples: py.samples, baseline: py.baseline } },
    push: { weightBytes: size, ...big },
  });
  return run.exitCode();
}

await run.execute(main);
