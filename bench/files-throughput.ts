// Files throughput (issue 5): upload and download throughput for a 100 MiB file (MB/s), with the
// server's peak RSS while it runs (target: flat, at most twice idle), against a bare node:http
// server doing the same transfers, measured in the same run on the same machine and printed as
// ratios.
//
//   node packages/sprocket/bin/node-ts.mjs bench/files-throughput.ts
//
// Method. Two servers, each in its own process: `sprocket serve` (bench/lib/servers.ts) and the
// baseline (bench/lib/files-baseline-server.ts), which splits the same multipart body with
// Buffer.indexOf and streams its `content` part into a file, and serves a file with
// fs.createReadStream: the least a server can do with these bytes. Everything is timed in this
// process with one clock, from the request to the last byte of the reply, on a fresh connection;
// MB/s is 10^6 bytes per second. Each measurement runs once as a discarded warm-up, then 3 times
// per side, the order of the sides swapped each round; the table gives the median.
//   1. Upload: `POST /v1/files` with a multipart body laid out as the official JS client sends it
//      (a `content` part, then a `metadata` JSON file part), streamed 1 MiB at a time from a small
//      pattern buffer (bench/lib/byte-pattern.ts), so this process never holds the file; every
//      upload has different bytes (no deduplication in Sprocket's blob store). The warm-up uses
//      the official client's own `files.create` with a 100 MiB Buffer, checks the sha256 Sprocket
//      reports, and is reported apart as one run. Sprocket also computes sha256 and md5 of the
//      bytes and records the file; the baseline does neither, so the ratio includes that work.
//   2. Output: a prediction of bench/models/big-output (`admin/big-output`), which writes a
//      100 MiB file and returns its path (`Output.path()`), created with `Prefer: wait` (→ 201,
//      succeeded): the runner copies the file into the server's staging dir and the worker renames
//      it into the output store. Next to it the same prediction with a 0-byte file, and, as the
//      floor, this process writing the same file the same way plus one copyFileSync of it (the
//      model's write and the runner's copy, and nothing else). Then the download of the returned
//      `/o/…` URL, every byte checked, against the baseline serving a 100 MiB file.
//   3. Input, end to end: a 100 MiB upload, then a prediction of bench/models/file-input
//      (`admin/file-input`, returns the size of its `Input.path()` file from stat) with the file's
//      `urls.get` as input (Sprocket copies the uploaded bytes for the prediction and deletes the
//      copy afterwards), against the same prediction with a 1-byte upload, and, as the floor, one
//      copy and one delete of 100 MiB in this process; end to end MB/s = size ÷ (upload +
//      prediction). For both kinds of prediction the table splits the time with the prediction's
//      own record: `metrics.predict_time` (the server's started → completed) and `completed_at` →
//      201 received (wall clocks of two processes on one host, to the ms).
//   4. Floors, in this process after the rest: the write, copy and delete above, and sha256 + md5
//      of 100 MiB fed 64 KiB at a time (what Sprocket computes over every upload), for reading the
//      upload ratio.
// Memory: the server process's RSS (VmRSS) after start and the pushes, idle, before any transfer,
// and its peak during every run of each kind (warm-up included), read per run from VmHWM reset at
// the start (/proc/<pid>/clear_refs) and VmRSS sampled every 20 ms (bench/lib/memory-watch.ts);
// peak ÷ idle is held to the target for both servers. The model instances are read the same way.
//
// The default file limit (SPROCKET_FILE_LIMIT, 100 MiB) is enough: Sprocket checks a multipart
// body's Content-Length against the limit plus 2 MiB for part headers and metadata, and the file
// part itself against the limit, so an upload of exactly 100 MiB is taken. The server runs with
// TMPDIR inside this run's temp dir (the models' output files and the copied inputs land there)
// and SPROCKET_INSTANCE_IDLE_SECONDS=300 (the instances stay warm). Loopback only. Exits 1 if a
// step failed (a status other than the expected one, wrong size or bytes, a failed prediction).
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Replicate from "replicate";
import { patternBuffer, patternSlice, writePatternFile } from "./lib/byte-pattern.ts";
import { downloadChecked, uploadMultipart, type Download } from "./lib/file-transfer.ts";
import { PeakWatch } from "./lib/memory-watch.ts";
import { NODE_TS, REPO_ROOT, rssBytes, startAndWaitFor } from "./lib/processes.ts";
import { pushModel } from "./lib/push.ts";
import { formatNumber, ratio, renderTable, writeFigures } from "./lib/report.ts";
import { RunContext, log } from "./lib/run-context.ts";
import { startSprocket, type Target } from "./lib/servers.ts";
import { summarize } from "./lib/stats.ts";

const TOKEN = "bench-token";
const SIZE = 100 * 1024 * 1024;
/** The small file the input measurement compares with. */
const SMALL = 1;
/** Measured runs per side, after one discarded warm-up. */
const RUNS = 3;
const TIMEOUT_MS = 30_000;
const SAMPLE_MS = 20;
const TARGET_PEAK_RATIO = 2;
const OUTPUT_MODEL = "admin/big-output";
const INPUT_MODEL = "admin/file-input";
/** What one socket read delivers on loopback, for the hashing floor. */
const HASH_PIECE = 64 * 1024;

const run = new RunContext({ tmpPrefix: "sprocket-bench-files-", maxFailureSamples: 10 });

const mbPerS = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
const mib = (bytes: number | null) => (bytes === null ? null : bytes / (1024 * 1024));
const median = (samples: number[]) => (samples.length ? summarize(samples).p50 : NaN);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Peak RSS (bytes) per measurement kind and process role, over all its runs. */
const peaks = new Map<string, number>();
/** RSS (bytes) of a process when the first measured run of a kind started. */
const before = new Map<string, number>();

/** Runs `step` while watching `pids` (role → pid); each role's peak goes to `${kind} ${role}`. */
async function watched<T>(kind: string, pids: Record<string, number | undefined>, measured: boolean, step: () => Promise<T>): Promise<T> {
  const roles = Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined);
  const watch = new PeakWatch(
    roles.map(([, pid]) => pid),
    SAMPLE_MS,
  );
  try {
    return await step();
  } finally {
    const readings = watch.stop();
    for (const [role, pid] of roles) {
      const reading = readings.get(pid)!;
      const key = `${kind} ${role}`;
      if (reading.peak !== null) peaks.set(key, Math.max(peaks.get(key) ?? 0, reading.peak));
      if (measured && !before.has(key) && reading.before !== null) before.set(key, reading.before);
      if (!reading.hwmReset) hwmRefused = true;
    }
  }
}
let hwmRefused = false;

interface FileJson {
  id?: unknown;
  size?: unknown;
  checksums?: { sha256?: unknown };
  urls?: { get?: unknown };
}

function parse<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** One upload to either side; its time (ms) and, for Sprocket, the file's `urls.get`; null when it failed. */
async function upload(side: Target, size: number, shift: number, where: string): Promise<{ ms: number; url: string | null; sha256: string | null } | null> {
  const result = await uploadMultipart(`${side.url}/v1/files`, TOKEN, size, shift, TIMEOUT_MS);
  const json = parse<FileJson>(result.text);
  if (result.status !== 201 || json?.size !== size) return fail(`${where}: HTTP ${result.status} ${result.text.slice(0, 300)}`);
  const sha256 = typeof json.checksums?.sha256 === "string" ? json.checksums.sha256 : null;
  const url = typeof json.urls?.get === "string" ? json.urls.get : null;
  if (side.name === "Sprocket" && (!sha256 || !/^[0-9a-f]{64}$/.test(sha256) || !url)) return fail(`${where}: no sha256 or urls.get in ${result.text.slice(0, 300)}`);
  return { ms: result.ms, url, sha256 };
}

interface PredictionJson {
  id?: string;
  status?: string;
  output?: unknown;
  error?: unknown;
  completed_at?: string;
  metrics?: { predict_time?: number };
}

interface Predicted {
  /** Create sent → last byte of the 201, ms. */
  ms: number;
  output: unknown;
  /** The server's started → completed, ms. */
  predictMs: number;
  /** `completed_at` → the 201's last byte, ms (wall clocks of two processes, ms precision). */
  afterCompletedMs: number;
}

/** A prediction created with `Prefer: wait`, timed; null when it failed. */
async function predict(side: Target, model: string, input: Record<string, unknown>, where: string): Promise<Predicted | null> {
  const started = performance.now();
  let status = 0;
  let text = "";
  try {
    const response = await fetch(`${side.url}/v1/models/${model}/predictions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", prefer: "wait" },
      body: JSON.stringify({ input }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    text = `request error: ${(error as Error).message}`;
  }
  const ms = performance.now() - started;
  const receivedAt = Date.now();
  const json = parse<PredictionJson>(text);
  if (status !== 201 || json?.status !== "succeeded") return fail(`${where}: HTTP ${status} ${json?.status ?? ""} ${String(json?.error ?? text.slice(0, 300))}`);
  return { ms, output: json.output, predictMs: (json.metrics?.predict_time ?? NaN) * 1000, afterCompletedMs: receivedAt - Date.parse(json.completed_at ?? "") };
}

/** Keeps a prediction's three times. */
function note(p: Predicted, total: number[], predictTime: number[], afterCompleted: number[]): void {
  total.push(p.ms);
  predictTime.push(p.predictMs);
  afterCompleted.push(p.afterCompletedMs);
}

function checkDownload(result: Download, where: string): number | null {
  if (result.status !== 200) return fail(`${where}: HTTP ${result.status} ${result.text}`);
  if (result.bytes !== SIZE || result.contentLength !== SIZE || result.mismatches) {
    return fail(`${where}: ${result.bytes} bytes (Content-Length ${result.contentLength}), ${result.mismatches} piece(s) not as written`);
  }
  return result.ms;
}

function fail(sample: string): null {
  run.recordFailure(sample);
  return null;
}

/** The warm model instance of `version` under the server (its command line names the version dir). */
function instanceOf(server: Target, version: string): number | undefined {
  return run.ownDescendants(server.pid).find((c) => c.command.includes("runner/main.ts") && c.command.includes(version))?.pid;
}

/** Runs `a` and `b` in the order of `round` (swapped on odd rounds). */
async function inTurn(round: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<void> {
  if (round % 2 === 0) {
    await a();
    await b();
  } else {
    await b();
    await a();
  }
}

async function main(): Promise<number> {
  const baselineDir = path.join(run.tmp, "baseline");
  const serverTmp = path.join(run.tmp, "tmp");
  const floorDir = path.join(run.tmp, "floor");
  for (const dir of [baselineDir, serverTmp, floorDir]) mkdirSync(dir);
  writePatternFile(path.join(baselineDir, "download.bin"), SIZE);

  log(`temp dir ${run.tmp}; starting the baseline server and sprocket serve`);
  const baselineStarted = await startAndWaitFor(process.execPath, [NODE_TS, path.join(REPO_ROOT, "bench/lib/files-baseline-server.ts"), baselineDir, TOKEN], /listening on (http:\/\/\S+)/, {
    timeoutMs: 20_000,
    label: "files baseline server",
  });
  const baseline = run.own({ name: "baseline", url: baselineStarted.match, pid: baselineStarted.child.pid! } satisfies Target);
  const sprocket = run.own(
    await startSprocket({
      token: TOKEN,
      dataDir: path.join(run.tmp, "data"),
      env: { SPROCKET_INSTANCE_IDLE_SECONDS: "300", TMPDIR: serverTmp },
    }),
  );
  const outputVersion = await pushModel(sprocket, TOKEN, path.join(REPO_ROOT, "bench/models/big-output"), OUTPUT_MODEL);
  const inputVersion = await pushModel(sprocket, TOKEN, path.join(REPO_ROOT, "bench/models/file-input"), INPUT_MODEL);
  await sleep(1000);
  const idle = { sprocket: rssBytes(sprocket.pid), baseline: rssBytes(baseline.pid) };
  log(`pushed ${OUTPUT_MODEL} and ${INPUT_MODEL}; idle RSS: Sprocket ${formatNumber(mib(idle.sprocket), 1)} MiB, baseline ${formatNumber(mib(idle.baseline), 1)} MiB`);

  let shift = 1; // every upload gets bytes of its own
  const started = performance.now();

  // 1. Uploads. Warm-up: the official client's files.create with a Buffer, once per side.
  log(`uploads: warm-up with the official client's files.create, then ${RUNS} streamed per side`);
  const official: { sprocket: number | null; baseline: number | null } = { sprocket: null, baseline: null };
  {
    let buffer: Buffer | null = patternBuffer(SIZE, 0);
    const sha256 = createHash("sha256").update(buffer).digest("hex");
    for (const side of [sprocket, baseline]) {
      const client = new Replicate({ auth: TOKEN, baseUrl: `${side.url}/v1` });
      const t0 = performance.now();
      try {
        const file = await watched("upload", { [side === sprocket ? "sprocket" : "baseline"]: side.pid }, false, () => client.files.create(buffer!));
        const ms = performance.now() - t0;
        if (file.size !== SIZE) fail(`official client upload to ${side.name}: size ${file.size}`);
        else if (side === sprocket && file.checksums?.sha256 !== sha256) fail(`official client upload: sha256 ${file.checksums?.sha256}, not ${sha256}`);
        else official[side === sprocket ? "sprocket" : "baseline"] = mbPerS(SIZE, ms);
      } catch (error) {
        fail(`official client upload to ${side.name}: ${(error as Error).message}`);
      }
    }
    buffer = null;
  }
  const uploadMs = { sprocket: [] as number[], baseline: [] as number[] };
  for (let round = 0; round < RUNS; round++) {
    await inTurn(
      round,
      async () => {
        const r = await watched("upload", { sprocket: sprocket.pid }, true, () => upload(sprocket, SIZE, shift++, `Sprocket upload #${round + 1}`));
        if (r) uploadMs.sprocket.push(r.ms);
      },
      async () => {
        const r = await watched("upload", { baseline: baseline.pid }, true, () => upload(baseline, SIZE, shift++, `baseline upload #${round + 1}`));
        if (r) uploadMs.baseline.push(r.ms);
      },
    );
  }

  // 2. A 100 MiB output: the prediction, then its download. The warm-up starts the instance.
  log(`file output: warm-up, then ${RUNS} rounds of a 100 MiB prediction, a 0-byte one and the downloads`);
  const outputMs = { big: [] as number[], empty: [] as number[], bigPredict: [] as number[], emptyPredict: [] as number[], bigAfter: [] as number[], emptyAfter: [] as number[] };
  const downloadMs = { sprocket: [] as number[], baseline: [] as number[] };
  let outputInstance: number | undefined;
  for (let round = -1; round < RUNS; round++) {
    const measured = round >= 0;
    const where = measured ? `#${round + 1}` : "warm-up";
    const big = await watched("output", { sprocket: sprocket.pid, instance: outputInstance }, measured, () => predict(sprocket, OUTPUT_MODEL, { size: SIZE }, `prediction, 100 MiB output, ${where}`));
    outputInstance ??= instanceOf(sprocket, outputVersion);
    const empty = await predict(sprocket, OUTPUT_MODEL, { size: 0 }, `prediction, 0-byte output, ${where}`);
    if (measured && big) note(big, outputMs.big, outputMs.bigPredict, outputMs.bigAfter);
    if (measured && empty) note(empty, outputMs.empty, outputMs.emptyPredict, outputMs.emptyAfter);
    const url = big?.output;
    if (big && typeof url !== "string") fail(`prediction, 100 MiB output, ${where}: output ${JSON.stringify(url)} is not a URL`);
    await inTurn(
      Math.max(0, round),
      async () => {
        if (typeof url !== "string") return;
        const ms = checkDownload(await watched("download", { sprocket: sprocket.pid }, measured, () => downloadChecked(url, TIMEOUT_MS)), `Sprocket download ${where}`);
        if (measured && ms !== null) downloadMs.sprocket.push(ms);
      },
      async () => {
        const ms = checkDownload(
          await watched("download", { baseline: baseline.pid }, measured, () => downloadChecked(`${baseline.url}/files/download.bin`, TIMEOUT_MS)),
          `baseline download ${where}`,
        );
        if (measured && ms !== null) downloadMs.baseline.push(ms);
      },
    );
  }
  if (outputInstance === undefined) log(`no instance of ${OUTPUT_MODEL} found under the server; its memory is not reported`);

  // 3. A 100 MiB upload used as a prediction input, against a 1-byte one.
  log(`file input: warm-up, then ${RUNS} rounds of a 100 MiB upload + prediction and a 1-byte one`);
  const inputMs = {
    big: [] as number[],
    small: [] as number[],
    bigPredict: [] as number[],
    smallPredict: [] as number[],
    bigAfter: [] as number[],
    smallAfter: [] as number[],
    endToEnd: [] as number[],
  };
  let inputInstance: number | undefined;
  for (let round = -1; round < RUNS; round++) {
    const measured = round >= 0;
    const where = measured ? `#${round + 1}` : "warm-up";
    const small = await upload(sprocket, SMALL, shift++, `1-byte upload ${where}`);
    const smallRun = small && (await predict(sprocket, INPUT_MODEL, { file: small.url }, `prediction, 1-byte input, ${where}`));
    if (smallRun && smallRun.output !== SMALL) fail(`prediction, 1-byte input, ${where}: output ${JSON.stringify(smallRun.output)}`);
    inputInstance ??= instanceOf(sprocket, inputVersion);
    const big = await watched("upload", { sprocket: sprocket.pid }, false, () => upload(sprocket, SIZE, shift++, `100 MiB upload (input) ${where}`));
    const bigRun =
      big && (await watched("input", { sprocket: sprocket.pid, instance: inputInstance }, measured, () => predict(sprocket, INPUT_MODEL, { file: big.url }, `prediction, 100 MiB input, ${where}`)));
    if (bigRun && bigRun.output !== SIZE) fail(`prediction, 100 MiB input, ${where}: output ${JSON.stringify(bigRun.output)}, not ${SIZE}`);
    if (!measured) continue;
    if (smallRun) note(smallRun, inputMs.small, inputMs.smallPredict, inputMs.smallAfter);
    if (big && bigRun) {
      note(bigRun, inputMs.big, inputMs.bigPredict, inputMs.bigAfter);
      inputMs.endToEnd.push(big.ms + bigRun.ms);
    }
  }
  if (inputInstance === undefined) log(`no instance of ${INPUT_MODEL} found under the server; its memory is not reported`);

  // 4. Floors, in this process: the model's write and the runner's copy of an output, the
  // deletion of a copied input (Sprocket's worker removes it before it records the result), and
  // the two digests Sprocket computes over an upload, fed 64 KiB at a time as a socket delivers it.
  log(`floor: writing, copying, deleting and hashing 100 MiB in this process, warm-up + ${RUNS}`);
  const floor = { write: [] as number[], copy: [] as number[], unlink: [] as number[], hash: [] as number[] };
  for (let round = -1; round < RUNS; round++) {
    const file = path.join(floorDir, `floor-${round + 1}.bin`);
    const t0 = performance.now();
    writePatternFile(file, SIZE);
    const t1 = performance.now();
    copyFileSync(file, `${file}.copy`);
    const t2 = performance.now();
    rmSync(`${file}.copy`);
    const t3 = performance.now();
    rmSync(file);
    const t4 = performance.now();
    const sha256 = createHash("sha256");
    const md5 = createHash("md5");
    for (let offset = 0; offset < SIZE; offset += HASH_PIECE) {
      const piece = patternSlice(offset, Math.min(HASH_PIECE, SIZE - offset));
      sha256.update(piece);
      md5.update(piece);
    }
    sha256.digest();
    md5.digest();
    const t5 = performance.now();
    if (round < 0) continue;
    floor.write.push(t1 - t0);
    floor.copy.push(t2 - t1);
    floor.unlink.push(t3 - t2);
    floor.hash.push(t5 - t4);
  }
  const elapsedS = (performance.now() - started) / 1000;

  await sleep(1000);
  const after = { sprocket: rssBytes(sprocket.pid), baseline: rssBytes(baseline.pid) };

  // Report.
  const m = {
    upload: { sprocket: median(uploadMs.sprocket), baseline: median(uploadMs.baseline) },
    download: { sprocket: median(downloadMs.sprocket), baseline: median(downloadMs.baseline) },
    output: {
      big: median(outputMs.big),
      empty: median(outputMs.empty),
      bigPredict: median(outputMs.bigPredict),
      emptyPredict: median(outputMs.emptyPredict),
      bigAfter: median(outputMs.bigAfter),
      emptyAfter: median(outputMs.emptyAfter),
    },
    input: {
      big: median(inputMs.big),
      small: median(inputMs.small),
      bigPredict: median(inputMs.bigPredict),
      smallPredict: median(inputMs.smallPredict),
      bigAfter: median(inputMs.bigAfter),
      smallAfter: median(inputMs.smallAfter),
      endToEnd: median(inputMs.endToEnd),
    },
    floor: { write: median(floor.write), copy: median(floor.copy), unlink: median(floor.unlink), hash: median(floor.hash) },
  };
  const peak = (key: string) => peaks.get(key) ?? null;
  const over = (value: number | null, base: number | null) => (value === null || !base ? null : value / base);

  type Line = { metric: string; s: number | null; b: number | null; digits: number; ratio?: boolean; target?: string; meets?: boolean };
  const peakLines = (label: string, kind: string): Line[] => {
    const s = peak(`${kind} sprocket`);
    const b = peak(`${kind} baseline`);
    const sRatio = over(s, idle.sprocket);
    return [
      { metric: `server peak RSS, ${label} (MiB)`, s: mib(s), b: mib(b), digits: 1 },
      {
        metric: `  peak ÷ idle, ${label}`,
        s: sRatio,
        b: over(b, idle.baseline),
        digits: 2,
        ratio: false,
        target: `≤ ${TARGET_PEAK_RATIO}×`,
        meets: sRatio !== null && sRatio <= TARGET_PEAK_RATIO,
      },
    ];
  };
  const lines: Line[] = [
    { metric: "upload 100 MiB, POST /v1/files → 201 (MB/s)", s: mbPerS(SIZE, m.upload.sprocket), b: mbPerS(SIZE, m.upload.baseline), digits: 0 },
    { metric: "  time (ms)", s: m.upload.sprocket, b: m.upload.baseline, digits: 1 },
    { metric: "download 100 MiB file output, GET /o/… (MB/s)", s: mbPerS(SIZE, m.download.sprocket), b: mbPerS(SIZE, m.download.baseline), digits: 0 },
    { metric: "  time (ms)", s: m.download.sprocket, b: m.download.baseline, digits: 1 },
    { ratio: false, metric: "prediction → 100 MiB output, create → 201 (ms) [b: 0-byte output]", s: m.output.big, b: m.output.empty, digits: 1 },
    { metric: "  added by the output (ms) [b: write + copy here]", s: m.output.big - m.output.empty, b: m.floor.write + m.floor.copy, digits: 1 },
    { ratio: false, metric: "  of which predict_time, started → completed (ms)", s: m.output.bigPredict, b: m.output.emptyPredict, digits: 1 },
    { ratio: false, metric: "  of which completed_at → 201 received (ms)", s: m.output.bigAfter, b: m.output.emptyAfter, digits: 0 },
    { ratio: false, metric: "prediction ← 100 MiB uploaded input, create → 201 (ms) [b: 1-byte input]", s: m.input.big, b: m.input.small, digits: 1 },
    { metric: "  added by the input (ms) [b: one copy + unlink here]", s: m.input.big - m.input.small, b: m.floor.copy + m.floor.unlink, digits: 1 },
    { ratio: false, metric: "  of which predict_time, started → completed (ms)", s: m.input.bigPredict, b: m.input.smallPredict, digits: 1 },
    { ratio: false, metric: "  of which completed_at → 201 received (ms)", s: m.input.bigAfter, b: m.input.smallAfter, digits: 0 },
    { metric: "upload + that prediction, end to end (MB/s) [b: bare upload]", s: mbPerS(SIZE, m.input.endToEnd), b: mbPerS(SIZE, m.upload.baseline), digits: 0 },
    { metric: "official client files.create(Buffer), warm-up, 1 run (MB/s)", s: official.sprocket, b: official.baseline, digits: 0 },
    { metric: "server RSS idle, before the transfers (MiB)", s: mib(idle.sprocket), b: mib(idle.baseline), digits: 1 },
    ...peakLines("uploads", "upload"),
    ...peakLines("downloads", "download"),
    ...peakLines("prediction → 100 MiB output", "output"),
    ...peakLines("prediction ← 100 MiB input", "input"),
    { metric: "big-output instance RSS before → peak (MiB)", s: mib(before.get("output instance") ?? null), b: mib(peak("output instance")), digits: 1, ratio: false },
    { metric: "file-input instance RSS before → peak (MiB)", s: mib(before.get("input instance") ?? null), b: mib(peak("input instance")), digits: 1, ratio: false },
    { metric: "server RSS after the runs, 1 s idle (MiB)", s: mib(after.sprocket), b: mib(after.baseline), digits: 1 },
  ];
  const rendered = renderTable(
    ["metric", "Sprocket", "baseline", "ratio", "target (Sprocket)"],
    lines.map((l) => [
      l.metric,
      formatNumber(l.s, l.digits),
      formatNumber(l.b, l.digits),
      l.ratio === false ? "" : ratio(l.s, l.b),
      l.target ? `${l.target} ${l.meets ? "(met)" : "(NOT met)"}` : "",
    ]),
    [false, true, true, true, false],
  );

  const cpus = os.cpus();
  process.stdout.write(
    `\nSprocket files benchmark — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${new Date().toISOString()}\n` +
      `100 MiB = ${SIZE.toLocaleString("en-US")} bytes, MB/s = 10^6 bytes/s; median of ${RUNS} runs per side after a warm-up, sides interleaved, in ${elapsedS.toFixed(1)} s; ` +
      `baseline: bare node:http (multipart split with Buffer.indexOf → fs.WriteStream; fs.createReadStream), no digests\n` +
      `[b: …] rows compare with what the brackets say instead; "instance" rows give RSS before a run (Sprocket column) and the peak during the runs (baseline column)\n` +
      `peak RSS: per run, VmHWM reset through /proc/<pid>/clear_refs${hwmRefused ? " (REFUSED for some process: those peaks are 20 ms VmRSS samples only)" : ""} and VmRSS every ${SAMPLE_MS} ms, over all runs of the kind, warm-up included; ` +
      `Sprocket server pid ${sprocket.pid}, instances ${outputInstance ?? "?"} (${OUTPUT_MODEL}), ${inputInstance ?? "?"} (${INPUT_MODEL}); baseline pid ${baseline.pid}\n` +
      `floors, in this process: writing 100 MiB as big-output does ${formatNumber(m.floor.write, 1)} ms, one copyFileSync of it ${formatNumber(m.floor.copy, 1)} ms, ` +
      `deleting the copy ${formatNumber(m.floor.unlink, 1)} ms, sha256 + md5 of it in 64 KiB pieces ${formatNumber(m.floor.hash, 1)} ms; failed: ${run.totalFailures}\n\n` +
      rendered +
      "\n\n",
  );
  writeFigures({
    bench: "files-throughput",
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    at: new Date().toISOString(),
    failures: run.totalFailures,
    sizeBytes: SIZE,
    runs: RUNS,
    mbPerS: {
      upload: { sprocket: mbPerS(SIZE, m.upload.sprocket), baseline: mbPerS(SIZE, m.upload.baseline) },
      download: { sprocket: mbPerS(SIZE, m.download.sprocket), baseline: mbPerS(SIZE, m.download.baseline) },
      uploadThenInputPrediction: mbPerS(SIZE, m.input.endToEnd),
      officialClientUpload: official,
    },
    ms: { ...m, samples: { uploadMs, downloadMs, outputMs, inputMs, floor } },
    rssMiB: {
      idle: { sprocket: mib(idle.sprocket), baseline: mib(idle.baseline) },
      after: { sprocket: mib(after.sprocket), baseline: mib(after.baseline) },
      peak: Object.fromEntries([...peaks].map(([k, v]) => [k, mib(v)])),
      before: Object.fromEntries([...before].map(([k, v]) => [k, mib(v)])),
    },
    hwmReset: !hwmRefused,
  });
  return run.exitCode();
}

await run.execute(main);
