import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDuration } from "./duration.ts";

test("durations read as Replicate's Cancel-After syntax: bare seconds and combined h/m/s units", () => {
  assert.equal(parseDuration("30"), 30);
  assert.equal(parseDuration("30s"), 30);
  assert.equal(parseDuration("5m"), 300);
  assert.equal(parseDuration("1h30m45s"), 5445);
});

test("text that is not a duration is refused", () => {
  for (const bad of ["", "abc", "5d", "1m1h", "-5", "1.5s"]) assert.equal(parseDuration(bad), null, bad);
});
