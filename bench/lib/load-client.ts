// The load generator, run as its own process so it never shares an event loop with a server.
// It sends sync predictions (`Prefer: wait`) over keep-alive connections and checks every answer:
// HTTP 2xx and a body whose `status` is "succeeded"; anything else counts as a failure.
// Usage: node-ts.mjs bench/lib/load-client.ts '<LoadSpec as JSON>'  → one LoadResult JSON line.
import http from "node:http";
import { summarize, type LatencySummary } from "./stats.ts";

export interface LoadSpec {
  url: string;
  path: string;
  token: string;
  /** "sequential": one client, `requests` requests one after another. "concurrent": `concurrency` clients for `durationMs`. */
  mode: "sequential" | "concurrent";
  requests?: number;
  concurrency?: number;
  durationMs?: number;
  /** Also return every latency, in order (for merging runs). */
  keepSamples?: boolean;
}

export interface LoadResult {
  completed: number;
  failures: number;
  /** The first few failures, as "HTTP status: body…", for the report. */
  failureSamples: string[];
  elapsedMs: number;
  perSecond: number;
  latency: LatencySummary;
  /** CPU this load generator used (user + system), to show when the client, not the server, is the limit. */
  clientCpuMs: number;
  /** Every latency in ms, in order, when the spec asked for them. */
  samples?: number[];
}

const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
const target = new URL(spec.path, spec.url);
const concurrency = spec.mode === "sequential" ? 1 : (spec.concurrency ?? 32);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
let sequence = 0;
let failures = 0;
const failureSamples: string[] = [];

/** One sync prediction; resolves with its latency in ms (failures are counted, not thrown). */
function predict(): Promise<number> {
  const body = JSON.stringify({ input: { x: sequence++ % 1000 } });
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${spec.token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          prefer: "wait",
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          let ok = status >= 200 && status < 300;
          if (ok) {
            try {
              ok = (JSON.parse(text) as { status?: unknown }).status === "succeeded";
            } catch {
              ok = false;
            }
          }
          if (!ok) fail(`HTTP ${status}: ${text.slice(0, 300)}`);
          resolve(elapsed);
        });
      },
    );
    req.on("error", (error) => {
      fail(`request error: ${error.message}`);
      resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
    req.end(body);
  });
}

function fail(sample: string): void {
  failures++;
  if (failureSamples.length < 5) failureSamples.push(sample);
}

async function run(): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage();
  const latencies: number[] = [];
  const started = performance.now();
  if (spec.mode === "sequential") {
    for (let i = 0; i < (spec.requests ?? 2000); i++) latencies.push(await predict());
  } else {
    const deadline = started + (spec.durationMs ?? 5000);
    const client = async () => {
      while (performance.now() < deadline) latencies.push(await predict());
    };
    await Promise.all(Array.from({ length: concurrency }, client));
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    completed: latencies.length,
    failures,
    failureSamples,
    elapsedMs,
    perSecond: (latencies.length / elapsedMs) * 1000,
    latency: summarize(latencies),
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    ...(spec.keepSamples ? { samples: latencies } : {}),
  };
}

const result = await run();
agent.destroy();
process.stdout.write(`${JSON.stringify(result)}\n`);
