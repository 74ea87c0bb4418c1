import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Input, Output, PREDICTOR_BRAND, definePredictor, isPredictorDefinition, withInputDefaults } from "./index.ts";

const hello = definePredictor({
  inputs: { name: Input.string({ description: "Who to greet", default: "world" }) },
  output: Output.string(),
  async setup() {},
  async predict({ name }) {
    return `hello, ${name}!`;
  },
});

describe("definePredictor", () => {
  test("returns a frozen, branded definition with concurrency 1 by default", () => {
    assert.ok(Object.isFrozen(hello) && Object.isFrozen(hello.inputs));
    assert.equal(hello[PREDICTOR_BRAND], true);
    assert.equal(hello.concurrency, 1);
    assert.deepEqual(Object.keys(hello.inputs), ["name"]);
    assert.equal(hello.output?.kind, "string");
  });

  test("is recognised through the global symbol registry, as a second copy of the SDK would brand it", () => {
    assert.equal(isPredictorDefinition(hello), true);
    const fromAnotherCopy = { [Symbol.for("sprocket.predictor")]: true, predict() {} };
    assert.equal(isPredictorDefinition(fromAnotherCopy), true);
    for (const other of [null, undefined, {}, { predict() {} }, "x", { [Symbol("sprocket.predictor")]: true, predict() {} }]) {
      assert.equal(isPredictorDefinition(other), false);
    }
  });

  test("runs the author's predict as given", async () => {
    const ctx = { id: "p1", signal: new AbortController().signal, recordMetric() {} };
    assert.equal(await hello.predict({ name: "sprocket" }, ctx), "hello, sprocket!");
  });

  test("accepts a positive integer concurrency", () => {
    assert.equal(definePredictor({ concurrency: 8, predict: () => null }).concurrency, 8);
  });

  const cases: [string, unknown, RegExp][] = [
    ["a missing predict", {}, /predict must be a function/],
    ["a zero concurrency", { concurrency: 0, predict() {} }, /concurrency must be a positive integer, got 0/],
    ["a fractional concurrency", { concurrency: 1.5, predict() {} }, /concurrency must be a positive integer/],
    ["an unknown key", { input: {}, predict() {} }, /"input" is not an option/],
    ["a setup that is not a function", { setup: 1, predict() {} }, /setup must be a function/],
    ["an output that is not a builder", { output: "string", predict() {} }, /output must be an Output builder/],
    ["an input that is not a builder", { inputs: { a: "string" }, predict() {} }, /input "a" must be an Input builder/],
    ["an input name that is not an identifier", { inputs: { "my-name": Input.string() }, predict() {} }, /input name "my-name"/],
    ["a choices input named like a fixed component", { inputs: { Status: Input.string({ choices: ["a"] }) }, predict() {} }, /replace Cog's "Status" component/],
  ];
  for (const [what, config, message] of cases) {
    test(`refuses ${what}`, () => assert.throws(() => definePredictor(config as never), message));
  }
});

describe("withInputDefaults", () => {
  const def = definePredictor({
    inputs: {
      text: Input.string(),
      n: Input.integer({ default: 3 }),
      maybe: Input.string({ default: null }),
      sizes: Input.array(Input.integer(), { default: [1] }),
    },
    predict: () => null,
  });

  test("fills missing inputs with their defaults, null included, and keeps given ones", () => {
    assert.deepEqual(withInputDefaults(def, { text: "a", n: 5 }), { text: "a", n: 5, maybe: null, sizes: [1] });
  });

  test("hands predict an array default it may change without changing the definition", () => {
    (withInputDefaults(def, { text: "a" }).sizes as number[]).push(2);
    assert.deepEqual(def.inputs.sizes.options.default, [1]);
  });
});
