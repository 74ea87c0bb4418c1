// The stream benchmark's client: reads one server-sent-event stream with node:http, parses it
// incrementally, and stamps each `output` event with the time its last byte arrived. Items are
// "<seq> <ms>" (bench/models/stream-clock and sse-baseline-server.ts write them): the index and the
// wall-clock time the producer took right before handing the item on, with `clock()` below; so
// `receivedAt − sentAt` is the item's latency across processes on the same host.
import http from "node:http";

/** Wall-clock ms since the epoch, µs precision; the expression every producer uses too. */
export const clock = (): number => performance.timeOrigin + performance.now();

/** The text of item `seq` stamped now: what the model and the baseline server send. */
export function itemText(seq: number, stamp: number): string {
  return `${seq} ${stamp.toFixed(3)}`;
}

export interface StreamItem {
  seq: number;
  /** The producer's clock when it yielded the item. */
  sentAt: number;
  /** This process's clock when the chunk completing the item's event arrived. */
  receivedAt: number;
}

export interface StreamRun {
  items: StreamItem[];
  /** The data of the `done` event, or null if the stream ended without one. */
  done: string | null;
  /** What went wrong: HTTP status, malformed or out-of-order items, `error` events, timeout. */
  errors: string[];
  /** How many `data` chunks the socket delivered (items per chunk > 1 means batched writes). */
  chunks: number;
  /** The clock when the response headers arrived. */
  headersAt: number;
}

/** GETs `url` (an SSE stream on a fresh connection) and reads it to its end. Never rejects. */
export function readStream(url: string, timeoutMs: number): Promise<StreamRun> {
  const result: StreamRun = { items: [], done: null, errors: [], chunks: 0, headersAt: NaN };
  return new Promise((resolve) => {
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      result.errors.push(`stream still open after ${timeoutMs} ms (${result.items.length} items)`);
      req.destroy();
      finish();
    }, timeoutMs);

    const dispatch = (event: string, data: string, at: number) => {
      if (event === "output") {
        const match = /^(\d+) (\d+(?:\.\d+)?)$/.exec(data);
        if (!match) return void result.errors.push(`malformed output item: ${JSON.stringify(data.slice(0, 100))}`);
        const seq = Number(match[1]);
        if (seq !== result.items.length) result.errors.push(`item ${seq} arrived where ${result.items.length} was due`);
        result.items.push({ seq, sentAt: Number(match[2]), receivedAt: at });
      } else if (event === "error") {
        result.errors.push(`error event: ${data.slice(0, 200)}`);
      } else if (event === "done") {
        result.done = data;
      }
    };

    const req = http.get(url, { agent: false, headers: { accept: "text/event-stream" } }, (res) => {
      result.headersAt = clock();
      if (res.statusCode !== 200) {
        result.errors.push(`GET stream: HTTP ${res.statusCode}`);
        res.resume();
        res.on("end", finish);
        return;
      }
      res.setEncoding("utf8");
      let buffer = "";
      let event = "message";
      let data: string[] = [];
      res.on("data", (chunk: string) => {
        // One stamp per chunk, before any parsing: every event this chunk completes arrived now.
        const at = clock();
        result.chunks++;
        buffer += chunk;
        let start = 0;
        for (let nl = buffer.indexOf("\n", start); nl >= 0; nl = buffer.indexOf("\n", start)) {
          let line = buffer.slice(start, nl);
          start = nl + 1;
          if (line.endsWith("\r")) line = line.slice(0, -1);
          if (line === "") {
            if (data.length) dispatch(event, data.join("\n"), at);
            event = "message";
            data = [];
            continue;
          }
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? "" : line.slice(colon + 1);
          if (value.startsWith(" ")) value = value.slice(1);
          if (field === "event") event = value;
          else if (field === "data") data.push(value);
        }
        buffer = buffer.slice(start);
      });
      res.on("end", finish);
      res.on("error", (error) => {
        result.errors.push(`stream: ${error.message}`);
        finish();
      });
    });
    req.on("error", (error) => {
      result.errors.push(`GET stream: ${error.message}`);
      finish();
    });
  });
}

/**
 * How far this process's `clock()` is from the system's wall clock now, in ms: read at the instant
 * Date.now() ticks over (the wall clock is then on a whole ms), median of a few ticks. Node fixes
 * timeOrigin at start-up, so the offset grows with any NTP slewing since then; near 0 means the
 * clocks of processes started during the run agree to about that much.
 */
export function clockOffsetMs(samples = 5): number {
  const offsets: number[] = [];
  for (let i = 0; i < samples; i++) {
    const before = Date.now();
    let now = Date.now();
    while (now === before) now = Date.now();
    offsets.push(clock() - now);
  }
  offsets.sort((a, b) => a - b);
  return offsets[Math.floor(offsets.length / 2)]!;
}
