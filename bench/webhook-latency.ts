// Webhook latency: how long after a prediction completes its `completed` webhook reaches a receiver
// on loopback (target ≤ 10 ms p50), against Sprocket's own sync reply (`Prefer: wait`) for the same
// prediction, measured in the same run, interleaved, and printed as a difference and a ratio.
//
//   node packages/sprocket/bin/node-ts.mjs bench/webhook-latency.ts [--cpu-prof DIR]
//
// --cpu-prof DIR: as in stream-latency.ts (the server process only; do not quote profiled figures).
//
// Method. The moment the terminal state is committed is inside the server and stamped only to the
// millisecond (`completed_at`), so it is not timed directly. Instead every time here is read with
// one clock in this process (bench/lib/sse-client.ts's clock(): no cross-process offsets), and two
// requests for the same no-op prediction (bench/models/noop) are timed from the moment the create
// is sent:
//   (a) webhook: `POST /v1/models/admin/noop/predictions` with `webhook` pointing at the receiver
//       (bench/lib/webhook-receiver.ts, a bare node:http server in this process that stamps each
//       request's last byte before parsing it) and `webhook_events_filter: ["completed"]`, no
//       Prefer header: create sent → webhook received;
//   (b) baseline: the same create with `Prefer: wait` and no webhook: create sent → last byte of
//       the 201 with the finished prediction.
// Both run the same path up to the commit of the terminal state; then Sprocket publishes the
// status (which answers (b)'s waiting request) and, in the same tick, hands the outbox row to the
// webhook dispatcher (which signs and POSTs it). So (a) − (b), taken per percentile, is what the
// webhook adds over the quickest answer Sprocket can give; "completed → webhook received" lies
// between that difference (it leaves out the commit → sync reply time, well under a ms on
// loopback) and (a) itself (which also holds the create, queueing and the run). The two sides
// alternate prediction by prediction, the order swapped each pair, so a slow patch of the machine
// lands on both.
//
// After each (a) the benchmark reads `GET /v1/predictions/{id}/webhooks` until the delivery is
// `delivered` (Sprocket writes the attempt log once the receiver answered): the next prediction
// then never shares the server with that write, and the attempt log gives the server's own
// round trip of the POST. After each (b) it reads the prediction once, so both sides make the same
// number of requests. None of that is timed.
//
// Every webhook is checked (outside the timed part): one per prediction, a POST whose body parses,
// is the right prediction, `succeeded` with the right output, carries `webhook-id`,
// `webhook-timestamp` and `webhook-signature`, and passes the official client's `validateWebhook`
// (the `replicate` package) with the account's secret from `GET /v1/webhooks/default/secret`; the
// delivery must be the prediction's only one, `completed`, delivered at the first attempt, under
// the same `webhook-id`. Loopback only: the server runs with SPROCKET_ALLOW_PRIVATE_URLS=true, or
// it would refuse a 127.0.0.1 webhook. Exits 1 if anything failed.
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { validateWebhook } from "replicate";
import { argValue } from "./lib/args.ts";
import { REPO_ROOT } from "./lib/processes.ts";
import { pushModel } from "./lib/push.ts";
import { formatNumber, ratio, renderTable, writeFigures } from "./lib/report.ts";
import { RunContext, log } from "./lib/run-context.ts";
import { startSprocket, type Target } from "./lib/servers.ts";
import { clock } from "./lib/sse-client.ts";
import { summarize, type LatencySummary } from "./lib/stats.ts";
import { WebhookReceiver, type ReceivedWebhook } from "./lib/webhook-receiver.ts";

const TOKEN = "bench-token";
const MODEL = "admin/noop";
const MODEL_DIR = path.join(REPO_ROOT, "bench/models/noop");
/** Discarded predictions per side first: starts the model instance and the webhook connection, warms both paths. */
const WARMUP = 200;
/** Measured predictions per side: enough that p99 is the 20th slowest, not the 4th (about 10 s in all). */
const MEASURED = 2000;
/** How long one request, or a delivery record's turn to `delivered`, may take before it is a failure. */
const TIMEOUT_MS = 10_000;
/**
 * How long a webhook may take to arrive. On loopback it takes about a ms; a first attempt that
 * failed would be retried only after ~1 s, and a retried delivery is a failure here anyway.
 */
const WEBHOOK_TIMEOUT_MS = 3_000;
/** After this many failures the run stops early (a broken server would otherwise wait out every timeout). */
const MAX_FAILURES = 20;
const TARGET_P50_MS = 10;

const cpuProfDir = argValue("--cpu-prof");
const run = new RunContext({ tmpPrefix: "sprocket-bench-webhook-", maxFailureSamples: 10 });

// One keep-alive connection for every API call, as one client would hold; both sides share it.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** The fields of the replies this benchmark reads: a prediction, the secret, a webhook log. */
interface ReplyJson {
  id?: unknown;
  status?: unknown;
  output?: unknown;
  key?: unknown;
  deliveries?: Delivery[];
  results?: Attempt[];
}

interface Delivery {
  webhook_id?: string;
  event?: string;
  state?: string;
  attempts?: number;
}

interface Attempt {
  latency_ms?: number | null;
}

interface Reply {
  status: number;
  json: ReplyJson | null;
  text: string;
  /** clock() at the reply's last byte. */
  endAt: number;
}

/** One API request; resolves at the reply's last byte. Never rejects (an error is status 0). */
function api(target: Target, method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const url = new URL(urlPath, target.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        agent,
        timeout: TIMEOUT_MS,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const endAt = clock();
          const text = Buffer.concat(chunks).toString("utf8");
          let json: Reply["json"] = null;
          try {
            json = text ? (JSON.parse(text) as Reply["json"]) : null;
          } catch {
            // Left null; the caller reports the text.
          }
          resolve({ status: res.statusCode ?? 0, json, text, endAt });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no reply within ${TIMEOUT_MS} ms`)));
    req.on("error", (error) => resolve({ status: 0, json: null, text: `request error: ${error.message}`, endAt: clock() }));
    req.end(payload);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Measured {
  /** Create sent → webhook received (a) or → sync reply received (b), ms. */
  latencies: number[];
  /** (a) only: create sent → its 201 (no wait) received, ms. */
  createReply: number[];
  /** (a) only: the server's own send → answer time of the POST, from the attempt log, ms. */
  serverRoundTrip: number[];
}

interface Context {
  target: Target;
  receiver: WebhookReceiver;
  secret: string;
  sequence: number;
}

/** (a): one prediction with a `completed` webhook; its latency (ms), or null when it failed. */
async function viaWebhook(ctx: Context, into: Measured | null, where: string): Promise<number | null> {
  const x = ctx.sequence++;
  const sentAt = clock();
  const created = await api(ctx.target, "POST", `/v1/models/${MODEL}/predictions`, {
    input: { x },
    webhook: ctx.receiver.url,
    webhook_events_filter: ["completed"],
  });
  const id = created.json?.id;
  if (created.status !== 201 || typeof id !== "string") return fail(`${where}: create: HTTP ${created.status} ${created.text.slice(0, 300)}`);
  const received = await ctx.receiver.waitFor(id, WEBHOOK_TIMEOUT_MS);
  if (!received) return fail(`${where}: no webhook for ${id} within ${WEBHOOK_TIMEOUT_MS} ms`);
  const latency = received.at - sentAt;

  // Untimed from here: the checks, then the delivery record (which also waits out the attempt-log write).
  const problems = await checkWebhook(received, x, ctx.secret);
  let delivery: Delivery | undefined;
  let attempt: Attempt | undefined;
  const deadline = performance.now() + TIMEOUT_MS;
  for (;;) {
    const log = await api(ctx.target, "GET", `/v1/predictions/${id}/webhooks`);
    delivery = log.json?.deliveries?.[0];
    attempt = log.json?.results?.[0];
    if (log.status !== 200) {
      problems.push(`GET webhooks: HTTP ${log.status} ${log.text.slice(0, 200)}`);
      break;
    }
    if (delivery?.state === "delivered" || delivery?.state === "failed") {
      const count = log.json?.deliveries?.length ?? 0;
      if (count !== 1) problems.push(`${count} deliveries, not 1`);
      break;
    }
    if (performance.now() > deadline) {
      problems.push(`delivery still ${delivery?.state ?? "missing"} after ${TIMEOUT_MS} ms`);
      break;
    }
    await sleep(1);
  }
  if (delivery) {
    if (delivery.state !== "delivered" || delivery.attempts !== 1) problems.push(`delivery ${delivery.state} after ${delivery.attempts} attempt(s)`);
    if (delivery.event !== "completed") problems.push(`delivery event ${delivery.event}`);
    if (delivery.webhook_id !== received.webhookId) problems.push(`webhook-id ${received.webhookId} is not the delivery's ${delivery.webhook_id}`);
  }
  if (problems.length) return fail(`${where}: prediction ${id}: ${problems.join("; ")}`);
  if (into) {
    into.latencies.push(latency);
    into.createReply.push(created.endAt - sentAt);
    if (typeof attempt?.latency_ms === "number") into.serverRoundTrip.push(attempt.latency_ms);
  }
  return latency;
}

/** What is wrong with a received webhook (its prediction had input `x`), if anything. */
async function checkWebhook(received: ReceivedWebhook, x: number, secret: string): Promise<string[]> {
  const problems: string[] = [];
  if (received.method !== "POST") problems.push(`webhook method ${received.method}`);
  if (!received.json) problems.push(`webhook body does not parse: ${received.body.slice(0, 200)}`);
  else {
    if (received.json.status !== "succeeded") problems.push(`webhook status ${String(received.json.status)}: ${String(received.json.error ?? "")}`);
    if (received.json.output !== x) problems.push(`webhook output ${JSON.stringify(received.json.output)}, not ${x}`);
  }
  const { webhookId, webhookTimestamp, webhookSignature } = received;
  if (!webhookId || !webhookTimestamp || !webhookSignature) {
    problems.push(`missing header(s): ${[!webhookId && "webhook-id", !webhookTimestamp && "webhook-timestamp", !webhookSignature && "webhook-signature"].filter(Boolean).join(", ")}`);
  } else {
    try {
      const valid = await validateWebhook({ id: webhookId, timestamp: webhookTimestamp, signature: webhookSignature, body: received.body, secret });
      if (!valid) problems.push(`validateWebhook rejected the signature of ${webhookId}`);
    } catch (error) {
      problems.push(`validateWebhook threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}

/** (b): the same prediction with `Prefer: wait` and no webhook; its latency (ms), or null when it failed. */
async function viaSyncReply(ctx: Context, into: Measured | null, where: string): Promise<number | null> {
  const x = ctx.sequence++;
  const sentAt = clock();
  const created = await api(ctx.target, "POST", `/v1/models/${MODEL}/predictions`, { input: { x } }, { prefer: "wait" });
  const latency = created.endAt - sentAt;
  const id = created.json?.id;
  if (created.status !== 201 || typeof id !== "string") return fail(`${where}: create: HTTP ${created.status} ${created.text.slice(0, 300)}`);
  const { status, output } = created.json!;
  if (status !== "succeeded" || output !== x) return fail(`${where}: prediction ${id} answered ${String(status)} with output ${JSON.stringify(output)} (input ${x})`);
  // Untimed: one more request, as (a) makes at least one after its webhook.
  const again = await api(ctx.target, "GET", `/v1/predictions/${id}`);
  if (again.status !== 200 || again.json?.status !== "succeeded") return fail(`${where}: GET ${id}: HTTP ${again.status} ${again.text.slice(0, 200)}`);
  into?.latencies.push(latency);
  return latency;
}

function fail(sample: string): null {
  run.recordFailure(sample);
  return null;
}

async function main(): Promise<number> {
  const receiver = await new WebhookReceiver().start();
  log(`temp dir ${run.tmp}; webhook receiver at ${receiver.url}; starting sprocket serve`);
  const nodeFlags = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : [];
  const target = run.own(
    await startSprocket({
      token: TOKEN,
      dataDir: path.join(run.tmp, "data"),
      nodeFlags,
      // Loopback webhooks are refused without the first; the second keeps the one instance warm throughout.
      env: { SPROCKET_ALLOW_PRIVATE_URLS: "true", SPROCKET_INSTANCE_IDLE_SECONDS: "300" },
    }),
  );
  const version = await pushModel(target, TOKEN, MODEL_DIR, MODEL);
  const secretReply = await api(target, "GET", "/v1/webhooks/default/secret");
  const secret = secretReply.json?.key;
  if (secretReply.status !== 200 || typeof secret !== "string" || !secret.startsWith("whsec_")) {
    run.recordFailure(`GET /v1/webhooks/default/secret: HTTP ${secretReply.status} ${secretReply.text.slice(0, 200)}`);
    return run.exitCode();
  }
  const ctx: Context = { target, receiver, secret, sequence: 0 };

  log(`pushed ${MODEL} version ${version.slice(0, 12)}…; warm-up: ${WARMUP} predictions per side`);
  for (let i = 0; i < WARMUP && run.totalFailures < MAX_FAILURES; i++) {
    await viaWebhook(ctx, null, "webhook warm-up");
    await viaSyncReply(ctx, null, "sync warm-up");
  }
  run.ownDescendants(target.pid);

  log(`${MEASURED} predictions per side, one at a time, alternating`);
  const empty = (): Measured => ({ latencies: [], createReply: [], serverRoundTrip: [] });
  const measured = { webhook: empty(), sync: empty() };
  const pairDifferences: number[] = [];
  const started = performance.now();
  for (let i = 0; i < MEASURED; i++) {
    if (run.totalFailures >= MAX_FAILURES) {
      log(`${run.totalFailures} failures: stopping early`);
      break;
    }
    let a: number | null;
    let b: number | null;
    if (i % 2 === 0) {
      a = await viaWebhook(ctx, measured.webhook, `webhook #${i + 1}`);
      b = await viaSyncReply(ctx, measured.sync, `sync #${i + 1}`);
    } else {
      b = await viaSyncReply(ctx, measured.sync, `sync #${i + 1}`);
      a = await viaWebhook(ctx, measured.webhook, `webhook #${i + 1}`);
    }
    if (a !== null && b !== null) pairDifferences.push(a - b);
  }
  const elapsedS = (performance.now() - started) / 1000;
  // Anything still on its way (a second message for a prediction would be a bug) has had time to land.
  await sleep(200);
  for (const extra of receiver.leftOver()) run.recordFailure(`unexpected extra webhook for ${extra.predictionId}: ${extra.body.slice(0, 200)}`);
  for (const stray of receiver.strays) run.recordFailure(`webhook without a prediction id: ${stray.method} ${stray.url} ${stray.body.slice(0, 200)}`);
  await receiver.stop();
  agent.destroy();

  const a = summarize(measured.webhook.latencies);
  const b = summarize(measured.sync.latencies);
  const added = (pick: (l: LatencySummary) => number) => pick(a) - pick(b);
  const roundTrip = summarize(measured.webhook.serverRoundTrip);
  const createReply = summarize(measured.webhook.createReply);
  const paired = summarize(pairDifferences);

  type Line = { metric: string; a: number | null; b: number | null; digits: number; target?: string; meets?: boolean };
  const pair = (metric: string, pick: (l: LatencySummary) => number): Line => ({ metric, a: pick(a), b: pick(b), digits: 3 });
  const lines: Line[] = [
    pair("create sent → arrival, p50 (ms)", (l) => l.p50),
    pair("create sent → arrival, p90 (ms)", (l) => l.p90),
    pair("create sent → arrival, p99 (ms)", (l) => l.p99),
    pair("create sent → arrival, max (ms)", (l) => l.max),
    pair("create sent → arrival, mean (ms)", (l) => l.mean),
    { metric: "added by the webhook (a − b), p50 (ms)", a: added((l) => l.p50), b: null, digits: 3, target: `≤ ${TARGET_P50_MS} ms`, meets: added((l) => l.p50) <= TARGET_P50_MS },
    { metric: "added by the webhook (a − b), p90 (ms)", a: added((l) => l.p90), b: null, digits: 3 },
    // Both sides' slowest 1 % are the same few-ms stalls of the machine and server, so this one
    // moves by tenths of a ms between runs (and may come out negative).
    { metric: "added by the webhook (a − b), p99 (ms)", a: added((l) => l.p99), b: null, digits: 3 },
    { metric: "server's POST round trip (attempt log), p50 (ms)", a: roundTrip.p50, b: null, digits: 3 },
    { metric: "server's POST round trip (attempt log), p99 (ms)", a: roundTrip.p99, b: null, digits: 3 },
    { metric: "create sent → 201 received (a, no wait), p50 (ms)", a: createReply.p50, b: null, digits: 3 },
  ];
  const rendered = renderTable(
    ["metric", "webhook (a)", "sync reply (b)", "ratio a/b", "target"],
    lines.map((l) => [l.metric, formatNumber(l.a, l.digits), formatNumber(l.b, l.digits), ratio(l.a, l.b), l.target ? `${l.target} ${l.meets ? "(met)" : "(NOT met)"}` : ""]),
    [false, true, true, true, false],
  );

  const cpus = os.cpus();
  process.stdout.write(
    `\nSprocket webhook benchmark — node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${new Date().toISOString()}\n` +
      `${MODEL}, one prediction at a time: (a) webhook_events_filter ["completed"] to a node:http receiver in this process, create sent → webhook received; ` +
      `(b) baseline, the same create with Prefer: wait and no webhook, create sent → 201 received\n` +
      `${a.count} / ${b.count} predictions measured (after ${WARMUP} warm-up each), alternating, in ${elapsedS.toFixed(1)} s; ${receiver.total} webhooks received, all checked (validateWebhook); failed: ${run.totalFailures}\n` +
      `completed → webhook received lies between (a − b) and (a): p50 between ${formatNumber(added((l) => l.p50), 3)} and ${formatNumber(a.p50, 3)} ms; median of per-pair differences ${formatNumber(paired.p50, 3)} ms\n` +
      (cpuProfDir ? "NOTE: --cpu-prof was on; these figures include profiling overhead.\n" : "") +
      "\n" +
      rendered +
      "\n\n",
  );
  writeFigures({
    bench: "webhook-latency",
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    at: new Date().toISOString(),
    failures: run.totalFailures,
    warmup: WARMUP,
    measured: MEASURED,
    webhook: { latency: a, createReply, serverRoundTrip: roundTrip },
    sync: { latency: b },
    added: { p50: added((l) => l.p50), p90: added((l) => l.p90), p99: added((l) => l.p99), mean: added((l) => l.mean) },
    pairedDifference: paired,
  });
  return run.exitCode();
}

await run.execute(main);
