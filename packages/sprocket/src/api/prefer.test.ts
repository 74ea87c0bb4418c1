import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePreferWait } from "./prefer.ts";

test("Prefer: wait means the full 60 seconds, wait=N means N", () => {
  assert.equal(parsePreferWait("wait"), 60);
  assert.equal(parsePreferWait("wait=5"), 5);
  assert.equal(parsePreferWait("respond-async, wait=7"), 7);
});

test("wait values outside 1..60 are clamped, not refused (the JS client sends wait=120)", () => {
  assert.equal(parsePreferWait("wait=120"), 60);
  assert.equal(parsePreferWait("wait=0"), 1);
});

test("no Prefer header, or one without wait, means do not wait", () => {
  assert.equal(parsePreferWait(undefined), null);
  assert.equal(parsePreferWait("respond-async"), null);
});
