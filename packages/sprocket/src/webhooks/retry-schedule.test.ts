import assert from "node:assert/strict";
import { test } from "node:test";
import { isRetryableStatus, nextAttemptAt, parseRetryAfter } from "./retry-schedule.ts";

const HOUR = 3600_000;

test("waits double from about a second, within ±20 %, and are capped at an hour", () => {
  const now = 1_000_000;
  const far = now + 48 * HOUR;
  for (const [attempts, base] of [[1, 1000], [2, 2000], [5, 16_000], [30, HOUR]] as const) {
    for (let i = 0; i < 20; i++) {
      const wait = nextAttemptAt(attempts, now, far)! - now;
      assert.ok(wait >= base * 0.8 && wait <= base * 1.2, `attempt ${attempts}: waited ${wait} ms`);
    }
  }
});

test("the last try is at the end of the window, and none after it", () => {
  assert.equal(nextAttemptAt(10, 1000, 1500), 1500);
  assert.equal(nextAttemptAt(10, 1500, 1500), null);
});

test("Retry-After is honoured (seconds or a date), up to an hour", () => {
  assert.equal(nextAttemptAt(1, 0, 10 * HOUR, 30), 30_000);
  assert.equal(nextAttemptAt(1, 0, 10 * HOUR, 86_400), HOUR);
  assert.equal(parseRetryAfter("120", 0), 120);
  assert.equal(parseRetryAfter(new Date(60_000).toUTCString(), 0), 60);
  assert.equal(parseRetryAfter("soon", 0), null);
  assert.equal(parseRetryAfter(undefined, 0), null);
});

test("429 and 5xx are retried; other answers are final", () => {
  assert.deepEqual([429, 500, 503, 404, 400, 301, 410].map(isRetryableStatus), [true, true, true, false, false, false, false]);
});
