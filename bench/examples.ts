// The bundled examples (issue 9): per example, the cold start (the first prediction after the
// server started: its instance's setup, from the prediction's own cold-start metrics, and the whole
// request) and the warm prediction time on a small input; for OCR and VAD also the same predictor
// called directly in this process (its module imported, setup() once, predict() in a loop), so the
// platform's overhead is a ratio measured in the same run.
//
//   npm run bench:examples
//   # same as: node packages/sprocket/bin/node-ts.mjs bench/examples.ts [--warm N]
//
// Everything on 127.0.0.1; a fresh data dir; sync predictions (`Prefer: wait`) one after another.
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import sharp from "sharp";
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

/** Small inputs, made here: an image with words, a spoken sentence, a tone. */
async function inputs(): Promise<Record<string, Record<string, unknown>>> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="120"><rect width="100%" height="100%" fill="white"/>
    <text x="20" y="70" font-family="DejaVu Sans" font-size="44" fill="black">Quiet lanterns guide seven boats</text></svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
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

/** The example's predictor in this process: setup() once, then predict() WARM times (ms each). */
async function direct(name: string, input: Record<string, unknown>, files: Record<string, string>): Promise<{ setupMs: number; warm: number[] }> {
  const module = await import(pathToFileURL(path.join(REPO_ROOT, "examples", name, "predict.ts")).href);
  const predictor = module.Predictor;
  const t = performance.now();
  await predictor.setup?.();
  const setupMs = performance.now() - t;
  const warm: number[] = [];
  for (let i = 0; i < WARM; i++) {
    const started = performance.now();
    await predictor.predict({ ...input, ...files }, { id: `direct-${i}`, signal: new AbortController().signal, recordMetric() {} });
    warm.push(performance.now() - started);
  }
  return { setupMs, warm };
}

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
    const warm: number[] = [];
    for (let i = 0; i < WARM; i++) {
      const reply = await predict(server.url, name, input);
      if (reply) warm.push(reply.ms);
    }
    const setup = (cold?.body.metrics?.cold_start_setup_time ?? NaN) * 1000;
    const w = summarize(warm);
    figures[name] = { coldRequestMs: cold?.ms ?? null, setupMs: setup, warm: w };
    rows.push([name, formatNumber(setup, 0), formatNumber(cold?.ms ?? null, 0), formatNumber(w.p50, 1), "", ""]);
    log(`${name}: setup ${setup.toFixed(0)} ms, warm p50 ${w.p50.toFixed(1)} ms`);
  }
  // The same predictor in this process, for OCR and VAD: the platform's overhead as a ratio.
  const { writeFileSync } = await import("node:fs");
  const fileOf = (uri: string, ext: string) => {
    const file = path.join(run.tmp, `input.${ext}`);
    writeFileSync(file, Buffer.from(uri.split(",")[1], "base64"));
    return file;
  };
  for (const [name, field, ext] of [["ocr", "image", "png"], ["vad", "audio", "wav"]] as const) {
    if (!all[name]) continue;
    const d = await direct(name, all[name], { [field]: fileOf(all[name][field] as string, ext) });
    const w = summarize(d.warm);
    const row = rows.find((r) => r[0] === name)!;
    const served = (figures[name] as { warm: { p50: number } }).warm.p50;
    row[4] = formatNumber(w.p50, 1);
    row[5] = `${(served / w.p50).toFixed(2)}× (+${(served - w.p50).toFixed(1)} ms)`;
    figures[`${name}Direct`] = { setupMs: d.setupMs, warm: w };
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
      `\n\nsetup: the instance's setup() (metrics.cold_start_setup_time); cold request: the first prediction's whole request (instance start included); direct: the same predictor imported into the benchmark's process.\nfailed requests: ${run.totalFailures}\n`,
  );
  writeFigures({ bench: "examples", node: process.version, cpus: cpus.length, at: new Date().toISOString(), firstStartMs, examples: figures });
  return run.exitCode();
}

await run.execute(main);
