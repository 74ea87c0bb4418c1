import assert from "node:assert/strict";
import { test } from "node:test";
import { newMessageId, newWebhookSecret, signedHeaders } from "./signing.ts";

test("signatures match the Standard Webhooks test vector", () => {
  const headers = signedHeaders("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", '{"test": 2432232314}', new Date(1614265330_000));
  assert.deepEqual(headers, {
    "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "webhook-timestamp": "1614265330",
    "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  });
});

test("secrets are whsec_ and standard base64 of 24 bytes; ids are unique msg_ strings", () => {
  const secret = newWebhookSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
  assert.equal(Buffer.from(secret.slice(6), "base64").length, 24);
  assert.notEqual(newWebhookSecret(), secret);
  assert.match(newMessageId(), /^msg_[A-Za-z0-9_-]{24}$/);
  assert.notEqual(newMessageId(), newMessageId());
});
