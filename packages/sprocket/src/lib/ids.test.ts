import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { newId, newToken } from "./ids.ts";

test("prediction ids are 26 lowercase characters without i, l, o, u, and sort by creation time", () => {
  const earlier = newId(1_700_000_000_000);
  const later = newId(1_700_000_000_001);
  assert.match(earlier, /^[0-9a-hjkmnp-tv-z]{26}$/);
  assert.ok(earlier < later);
});

test("tokens look like Replicate's and do not repeat", () => {
  const a = newToken();
  assert.match(a, /^r8_[0-9A-Za-z]{40}$/);
  assert.notEqual(a, newToken());
});

test("a cursor decodes to the key it was made from; anything else decodes to null", () => {
  const key = { createdAt: "2026-01-01T00:00:00.000Z", id: "abc" };
  assert.deepEqual(decodeCursor(encodeCursor(key)), key);
  assert.equal(decodeCursor("not-a-cursor"), null);
  assert.equal(decodeCursor(Buffer.from('{"a":1}').toString("base64url")), null);
});
