// The bundled examples (issue 9): per example, the cold start (the first prediction after the
// server started: its instance's setup, from the prediction's own cold-start metrics, and the whole
// request) and the warm prediction time on a small input; for OCR and VAD also the same predictor
// called directly in this process (its module imported, setup() once, each predict() alternating
// with a served prediction), so the platform's overhead is a ratio measured in the same run.
//
//   npm run bench:examples
//   # same as: node packages/sprocket/bin/node-ts.mjs bench/examples.ts [--warm N]
//
// Everything on 127.0.0.1; a fresh data dir; sync predictions (`Prefer: wait`) one after another.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { argValue } from "./lib/args.ts";
import { freshRequest } from "./lib/fresh-request.ts";
import { REPO_ROOT } from "./lib/processes.ts";
import { formatNumber, renderTable, writeFigures } from "./lib/report.ts";
import { RunContext, log } from "./lib/run-context.ts";
import { startSprocket } from "./lib/servers.ts";
import { summarize } from "./lib/stats.ts";

const TOKEN = "bench-token";
const WARM = Number(argValue("--warm") ?? 10);
const run = new RunContext({ tmpPrefix: "sprocket-bench-examples-", maxFailureSamples: 10 });

const dataUri = (bytes: Buffer, type: string) => `data:${type};base64,${bytes.toString("base64")}`;

/** Small inputs: the OCR sample the README's quick start reads, and a sentence spoken by espeak-ng. */
async function inputs(): Promise<Record<string, Record<string, unknown>>> {
  const png = readFileSync(path.join(REPO_ROOT, "examples", "ocr", "sample.png"));
  let wav: Buffer | null = null;
  try {
    wav = execFileSync("espeak-ng", ["--stdout", "Hello from Sprocket, the model server."]);
  } catch {
    log("espeak-ng is not installed: tts, vad and audio-stats are skipped");
  }
  return {
    hello: { name: "Ada" },
    "hello-python": { name: "Ada" },
    textgen: { prompt: "the White Rabbit", max_tokens: 40, seed: 7 },
    ocr: { image: dataUri(png, "image/png") },
    "image-tools": { image: dataUri(png, "image/png"), width: 320, grayscale: true, format: "webp" },
    ...(wav ? { tts: { text: "Hello from Sprocket." }, vad: { audio: dataUri(wav, "audio/wav") }, "audio-stats": { audio: dataUri(wav, "audio/wav") } } : {}),
  };
}

async function predict(url: string, name: string, input: Record<string, unknown>): Promise<{ ms: number; body: any } | null> {
  const started = performance.now();
  const reply = await freshRequest(url, TOKEN, "POST", `/v1/models/admin/${name}/predictions`, JSON.stringify({ input }), { prefer: "wait" });
  const ms = performance.now() - started;
  const body = JSON.parse(reply.text || "null");
  if (reply.status !== 201 || body?.status !== "succeeded") {
    run.recordFailure(`${name}: HTTP ${reply.status}: ${reply.text.slice(0, 300)}`);
    return null;
  }
  return { ms, body };
}

interface Direct {
  setupMs: number;
  /** One predict() on the input, in ms. */
  once(): Promise<number>;
}

/** The example's predictor in this process: its module imported, setup() once. */
async function direct(name: string, input: Record<string, unknown>, files: Record<string, string>): Promise<Direct> {
  const module = await import(pathToFileURL(path.join(REPO_ROOT, "examples", name, "predict.ts")).href);
  const predictor = module.Predictor;
  const t = performance.now();
  await predictor.setup?.();
  const setupMs = performance.now() - t;
  let n = 0;
  return {
    setupMs,
    async once() {
      const started = performance.now();
      await predictor.predict({ ...input, ...files }, { id: `direct-${n++}`, signal: new AbortController().signal, recordMetric() {} });
      return performance.now() - started;
    },
  };
}

/** Writes a data URI's bytes to a file in the run's temp dir (the direct side reads files, as the model does). */
function fileOf(uri: string, ext: string): string {
  const file = path.join(run.tmp, `input.${ext}`);
  writeFileSync(file, Buffer.from(uri.split(",")[1], "base64"));
  return file;
}

/** For these the same predictor also runs in this process; their warm samples interleave served and direct. */
const DIRECT: Record<string, { field: string; ext: string }> = { ocr: { field: "image", ext: "png" }, vad: { field: "audio", ext: "wav" } };

async function main(): Promise<number> {
  const all = await inputs();
  log(`starting sprocket serve with every example registered`);
  const startedAt = performance.now();
  const server = run.own(await startSprocket({ token: TOKEN, dataDir: path.join(run.tmp, "data"), env: { SPROCKET_EXAMPLES: "true" } }));
  const firstStartMs = performance.now() - startedAt;
  const rows: string[][] = [];
  const figures: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(all)) {
    const cold = await predict(server.url, name, input);
    const d = DIRECT[name] ? await direct(name, input, { [DIRECT[name].field]: fileOf(input[DIRECT[name].field] as string, DIRECT[name].ext) }) : null;
    // Served and direct alternate sample by sample (the order flipped each time), so a slow patch
    // of a shared machine lands on both sides alike.
    const warm: number[] = [];
    const directWarm: number[] = [];
    for (let i = 0; i < WARM; i++) {
      if (d && i % 2 === 1) directWarm.push(await d.once());
      const reply = await predict(server.url, name, input);
      if (reply) warm.push(reply.ms);
      if (d && i % 2 === 0) directWarm.push(await d.once());
    }
    const setup = (cold?.body.metrics?.cold_start_setup_time ?? NaN) * 1000;
    const w = summarize(warm);
    figures[name] = { coldRequestMs: cold?.ms ?? null, setupMs: setup, warm: w };
    const row = [name, formatNumber(setup, 0), formatNumber(cold?.ms ?? null, 0), formatNumber(w.p50, 1), "", ""];
    if (d) {
      const dw = summarize(directWarm);
      figures[`${name}Direct`] = { setupMs: d.setupMs, warm: dw };
      row[4] = formatNumber(dw.p50, 1);
      row[5] = `${(w.p50 / dw.p50).toFixed(2)}× (+${(w.p50 - dw.p50).toFixed(1)} ms)`;
    }
    rows.push(row);
    log(`${name}: setup ${setup.toFixed(0)} ms, warm p50 ${w.p50.toFixed(1)} ms${d ? `, direct p50 ${row[4]} ms` : ""}`);
  }
  const cpus = os.cpus();
  process.stdout.write(
    `\nSprocket examples — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${new Date().toISOString()}\n` +
      `first start with every example registered (fresh data dir): ${firstStartMs.toFixed(0)} ms; ${WARM} warm predictions each, one at a time\n\n` +
      renderTable(
        ["example", "setup (ms)", "cold request (ms)", "warm p50 (ms)", "direct p50 (ms)", "served ÷ direct"],
        rows,
        [false, true, true, true, true, true],
      ) +
      `\n\nsetup: the instance's setup() (metrics.cold_start_setup_time); cold request: the first prediction's whole request (instance start included); direct: the same predictor imported into the benchmark's process, its calls alternating with the served ones.\nfailed requests: ${run.totalFailures}\n`,
  );
  writeFigures({ bench: "examples", node: process.version, cpus: cpus.length, at: new Date().toISOString(), firstStartMs, examples: figures });
  return run.exitCode();
}

await run.execute(main);
