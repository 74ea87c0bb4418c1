// Compile-time checks of the SDK's type inference. The assertions below are types: if inference
// breaks, `npx tsc -p packages/sprocket --noEmit` fails on this file (an `Expect<...>` gets
// `false`, or an `@ts-expect-error` finds no error). The run-time test only calls the functions.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Input, Output, definePredictor, type PredictContext } from "./index.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

const ctx: PredictContext = { id: "p", signal: new AbortController().signal, recordMetric() {} };

const typed = definePredictor({
  inputs: {
    name: Input.string({ description: "Who to greet", default: "world" }),
    text: Input.string(),
    n: Input.integer({ default: 3, ge: 1 }),
    temp: Input.number(),
    flag: Input.boolean({ default: false }),
    token: Input.secret({ default: null }),
    image: Input.path(),
    files: Input.array(Input.path(), { default: null }),
    sizes: Input.array(Input.integer()),
    mode: Input.string({ default: "fast", choices: ["fast", "slow"] }),
    k: Input.integer({ choices: [1, 2, 4] }),
    maybe: Input.string({ default: null }),
  },
  output: Output.object({ greeting: Output.string(), count: Output.integer(), files: Output.array(Output.path()) }),
  predict(inputs, context) {
    expectType<Equal<typeof inputs.name, string>>();
    expectType<Equal<typeof inputs.text, string>>();
    expectType<Equal<typeof inputs.n, number>>();
    expectType<Equal<typeof inputs.temp, number>>();
    expectType<Equal<typeof inputs.flag, boolean>>();
    expectType<Equal<typeof inputs.token, string | null>>();
    expectType<Equal<typeof inputs.image, string>>();
    expectType<Equal<typeof inputs.files, string[] | null>>();
    expectType<Equal<typeof inputs.sizes, number[]>>();
    expectType<Equal<typeof inputs.mode, "fast" | "slow">>();
    expectType<Equal<typeof inputs.k, 1 | 2 | 4>>();
    expectType<Equal<typeof inputs.maybe, string | null>>();
    expectType<Equal<typeof context, PredictContext>>();
    // @ts-expect-error: undeclared inputs do not exist.
    void inputs.nope;
    return { greeting: `hello, ${inputs.name}`, count: inputs.n, files: inputs.files ?? [] };
  },
});

// The output type constrains what predict returns.
definePredictor({
  output: Output.string(),
  // @ts-expect-error: a number is not a string output.
  predict: () => 1,
});
definePredictor({ output: Output.integer(), predict: async () => 1 });

// An iterator output may be produced by a sync or async generator of its items.
definePredictor({
  output: Output.iterator(Output.string(), { concatenate: true }),
  async *predict() {
    yield "a";
  },
});
definePredictor({
  output: Output.iterator(Output.string()),
  // @ts-expect-error: the items must be strings.
  *predict() {
    yield 1;
  },
});

// No output declared: predict may return anything.
definePredictor({ inputs: { a: Input.boolean() }, predict: ({ a }) => ({ a }) });

// Never called: these would throw at run time too; here only the compiler's refusal is checked.
export function optionMisuseTheCompilerRefuses(): void {
  // @ts-expect-error: a default must have the input's type.
  Input.integer({ default: "3" });
  // @ts-expect-error: ge is not a string option.
  Input.string({ ge: 1 });
  // @ts-expect-error: an array default holds the item type.
  Input.array(Input.integer(), { default: ["a"] });
}

test("predict receives its inputs with the types the declarations imply", async () => {
  const result = await typed.predict(
    {
      name: "world",
      text: "t",
      n: 3,
      temp: 0.5,
      flag: false,
      token: null,
      image: "/tmp/a.png",
      files: null,
      sizes: [1],
      mode: "fast",
      k: 2,
      maybe: null,
    },
    ctx,
  );
  assert.deepEqual(result, { greeting: "hello, world", count: 3, files: [] });
});
