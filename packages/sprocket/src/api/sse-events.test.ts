import assert from "node:assert/strict";
import { test } from "node:test";
import { cursorFromEventId, eventsSince, formatEvent, START } from "./sse-events.ts";

const text = (item: unknown) => (typeof item === "string" ? item : JSON.stringify(item));

test("a running iterator prediction streams its items and new logs, with ids that are cursors", () => {
  const first = eventsSince({ status: "processing", output: ["Once", " upon"], logs: "step 1\n", error: null }, true, START, text);
  assert.deepEqual(first.events.map((e) => [e.event, e.id, e.data]), [
    ["output", "1:0", "Once"],
    ["output", "2:0", " upon"],
    ["logs", "2:7", "step 1\n"],
  ]);
  assert.equal(first.done, false);
  const next = eventsSince({ status: "succeeded", output: ["Once", " upon", " a time"], logs: "step 1\nstep 2\n", error: null }, true, first.cursor, text);
  assert.deepEqual(next.events.map((e) => [e.event, e.id, e.data]), [
    ["output", "3:7", " a time"],
    ["logs", "3:14", "step 2\n"],
    ["done", "3:14:done", "{}"],
  ]);
  assert.equal(next.done, true);
});

test("resuming from a Last-Event-ID sends only what came after it", () => {
  const finished = { status: "succeeded", output: ["a", "b", "c"], logs: "xyz", error: null };
  const resumed = eventsSince(finished, true, cursorFromEventId("2:1"), text);
  assert.deepEqual(resumed.events.map((e) => e.data), ["c", "yz", "{}"]);
  assert.deepEqual(cursorFromEventId("garbage"), START);
});

test("a non-iterator output is sent once at the end; failures and cancels end with their reason", () => {
  const ok = eventsSince({ status: "succeeded", output: { n: 1 }, logs: "", error: null }, false, START, text);
  assert.deepEqual(ok.events.map((e) => [e.event, e.data]), [["output", '{"n":1}'], ["done", "{}"]]);
  const failed = eventsSince({ status: "failed", output: null, logs: "", error: "boom" }, false, START, text);
  assert.deepEqual(failed.events.map((e) => [e.event, e.data]), [["error", "boom"], ["done", '{"reason":"error"}']]);
  const canceled = eventsSince({ status: "canceled", output: null, logs: "", error: null }, false, START, text);
  assert.deepEqual(canceled.events.map((e) => [e.event, e.data]), [["done", '{"reason":"canceled"}']]);
});

test("multi-line data becomes one data line per line", () => {
  assert.equal(formatEvent({ event: "logs", id: "0:5", data: "a\nb" }), "event: logs\nid: 0:5\ndata: a\ndata: b\n\n");
});
