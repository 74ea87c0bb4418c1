import assert from "node:assert/strict";
import { test } from "node:test";
import { maskSecrets, redactSecrets, REDACTED, secretInputNames } from "./secrets.ts";

const schema = {
  components: {
    schemas: {
      Input: {
        properties: {
          prompt: { type: "string" },
          token: { type: "string", format: "password", "x-cog-secret": true },
          keys: { type: "array", items: { type: "string", format: "password", "x-cog-secret": true } },
        },
      },
    },
  },
};

test("secret inputs are found in the schema, directly and as lists", () => {
  assert.deepEqual(secretInputNames(schema), ["token", "keys"]);
  assert.deepEqual(secretInputNames({}), []);
});

test("secret values are masked in the shown input and kept aside for masking logs", () => {
  const { shown, values } = redactSecrets({ prompt: "hi", token: "sk-123456", keys: ["a-key-1", "a-key-2"] }, ["token", "keys"]);
  assert.deepEqual(shown, { prompt: "hi", token: REDACTED, keys: [REDACTED, REDACTED] });
  assert.deepEqual(values, ["sk-123456", "a-key-1", "a-key-2"]);
  assert.deepEqual(redactSecrets({ prompt: "hi", token: null }, ["token"]).shown, { prompt: "hi", token: null });
});

test("a secret printed by the model is masked in its logs", () => {
  assert.equal(maskSecrets("using sk-123456 now, sk-123456!", ["sk-123456"]), `using ${REDACTED} now, ${REDACTED}!`);
  assert.equal(maskSecrets("abc", ["ab"]), "abc");
});
