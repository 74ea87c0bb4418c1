// What a prediction's stream (urls.stream) sends, computed from the prediction itself: each call
// diffs the prediction against a cursor of what the client already has, so a replay from the start,
// a resume with Last-Event-ID and live updates are one mechanism (no event log to keep).
//
// An event's id is the cursor after it: "<outputs sent>:<log characters sent>". Resuming from an
// id therefore knows exactly which output items and which log text the client still lacks.

export interface StreamCursor {
  outputs: number;
  logs: number;
}

export interface SseEvent {
  event: "output" | "logs" | "error" | "done";
  id: string;
  data: string;
}

export interface StreamSource {
  status: string;
  output: unknown;
  logs: string;
  error: string | null;
}

export const START: StreamCursor = { outputs: 0, logs: 0 };

/** The cursor a Last-Event-ID names, or the start when it is absent or not ours. */
export function cursorFromEventId(id: string | undefined): StreamCursor {
  const match = /^(\d+):(\d+)(?::\w+)?$/.exec(id?.trim() ?? "");
  return match ? { outputs: Number(match[1]), logs: Number(match[2]) } : { ...START };
}

/**
 * The events the client lacks, and the cursor after them. `iterator`: the model's Output is an
 * iterator, whose items are streamed one by one as they are produced; any other output is sent
 * once, when the prediction succeeds. `text` renders a non-string output item.
 */
export function eventsSince(
  prediction: StreamSource,
  iterator: boolean,
  cursor: StreamCursor,
  text: (item: unknown) => string,
): { events: SseEvent[]; cursor: StreamCursor; done: boolean } {
  const events: SseEvent[] = [];
  let { outputs, logs } = cursor;
  const id = (suffix = "") => `${outputs}:${logs}${suffix}`;
  if (iterator && Array.isArray(prediction.output)) {
    for (; outputs < prediction.output.length; ) {
      const item = prediction.output[outputs];
      outputs++;
      events.push({ event: "output", id: id(), data: text(item) });
    }
  }
  if (prediction.logs.length > logs) {
    const data = prediction.logs.slice(logs);
    logs = prediction.logs.length;
    events.push({ event: "logs", id: id(), data });
  }
  const terminal = prediction.status === "succeeded" || prediction.status === "failed" || prediction.status === "canceled";
  if (terminal) {
    if (!iterator && prediction.status === "succeeded" && prediction.output !== null && outputs === 0) {
      outputs = 1;
      events.push({ event: "output", id: id(), data: text(prediction.output) });
    }
    if (prediction.status === "failed") {
      events.push({ event: "error", id: id(":error"), data: prediction.error ?? "Prediction failed" });
      events.push({ event: "done", id: id(":done"), data: JSON.stringify({ reason: "error" }) });
    } else if (prediction.status === "canceled") {
      events.push({ event: "done", id: id(":done"), data: JSON.stringify({ reason: "canceled" }) });
    } else {
      events.push({ event: "done", id: id(":done"), data: "{}" });
    }
  }
  return { events, cursor: { outputs, logs }, done: terminal };
}

/** One event in the SSE wire format: multi-line data becomes several `data:` lines. */
export function formatEvent(event: SseEvent): string {
  const data = event.data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`).join("\n");
  return `event: ${event.event}\nid: ${event.id}\n${data}\n\n`;
}
