// The golden files in test/fixtures/protocol are the worker⇄runner protocol's reference: every
// runtime (this Node side, and the Python harness) must read and write exactly these lines.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { encodeMessage, lineDecoder, type RunnerToWorker, type WorkerToRunner } from "./runner-messages.ts";

const golden = (name: string) => readFileSync(new URL(`../../test/fixtures/protocol/${name}`, import.meta.url), "utf8");

test("every golden message decodes and encodes back to the same bytes", () => {
  for (const file of ["worker-to-runner.jsonl", "runner-to-worker.jsonl"]) {
    const text = golden(file);
    const decoded: (WorkerToRunner | RunnerToWorker)[] = [];
    lineDecoder<WorkerToRunner | RunnerToWorker>((m) => decoded.push(m), (line) => assert.fail(`bad line ${line}`))(text);
    assert.equal(decoded.map(encodeMessage).join(""), text, file);
  }
});

test("messages split across chunks anywhere, even inside a character, arrive whole", () => {
  const lines = golden("runner-to-worker.jsonl").split("\n").filter(Boolean).length;
  const text = golden("runner-to-worker.jsonl") + `{"type":"log","data":"héllo ✓\\n"}\n`;
  const bytes = Buffer.from(text);
  const seen: unknown[] = [];
  const decoder = new TextDecoder();
  const feed = lineDecoder((m) => seen.push(m), () => assert.fail("bad line"));
  for (let i = 0; i < bytes.length; i += 7) feed(decoder.decode(bytes.subarray(i, i + 7), { stream: true }));
  assert.equal(seen.length, lines + 1);
  assert.deepEqual(seen[lines], { type: "log", data: "héllo ✓\n" });
});

test("a malformed line is reported and the lines after it still arrive", () => {
  const seen: unknown[] = [];
  const bad: string[] = [];
  lineDecoder((m) => seen.push(m), (line) => bad.push(line))('{"type":"setup"}\nnot json\n{"type":"shutdown"}\n');
  assert.deepEqual(bad, ["not json"]);
  assert.equal(seen.length, 2);
});

test("a very long line (a large file output) is decoded in linear time", () => {
  const big = "x".repeat(20_000_000);
  const line = JSON.stringify({ type: "done", id: "p", status: "succeeded", output: big }) + "\n";
  let got = 0;
  const feed = lineDecoder<{ output: string }>((m) => (got = m.output.length), () => assert.fail("bad line"));
  const started = Date.now();
  for (let i = 0; i < line.length; i += 65_536) feed(line.slice(i, i + 65_536));
  assert.equal(got, big.length);
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
});
