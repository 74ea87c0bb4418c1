import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Input } from "./index.ts";
import { pythonTitle } from "./title.ts";

// Options are typed loosely here on purpose: these are the mistakes a JS author (or a cast)
// gets past the compiler, which the builders must still refuse.
const loose = (options: unknown) => options as never;

describe("Input builders refuse option misuse when the predictor is defined", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["ge on a string", () => Input.string(loose({ ge: 1 })), /Input\.string: "ge" is not an option of string inputs/],
    ["a JSON Schema name, with a hint", () => Input.string(loose({ minLength: 1 })), /did you mean min_length\?/],
    ["regex on an integer", () => Input.integer(loose({ regex: "x" })), /"regex" is not an option of integer inputs/],
    ["ge greater than le", () => Input.number({ ge: 5, le: 1 }), /ge \(5\) is greater than le \(1\)/],
    ["min_length greater than max_length", () => Input.string({ min_length: 3, max_length: 2 }), /min_length \(3\) is greater than max_length \(2\)/],
    ["a negative min_length", () => Input.string({ min_length: -1 }), /min_length must be a non-negative integer/],
    ["a regex that does not compile", () => Input.string({ regex: "(" }), /regex "\(" does not compile/],
    ["a default not among choices", () => Input.string({ choices: ["a", "b"], default: "c" as "a" }), /default "c" is not among choices/],
    ["a default of the wrong type", () => Input.integer(loose({ default: "3" })), /default "3" is not an integer/],
    ["a fractional integer default", () => Input.integer({ default: 1.5 }), /default 1\.5 is not an integer/],
    ["a default below ge", () => Input.integer({ default: 0, ge: 1 }), /default 0 is below ge \(1\)/],
    ["a default that breaks the regex", () => Input.string({ default: "A", regex: "^[a-z]+$" }), /does not match regex/],
    ["empty choices", () => Input.string({ choices: [] }), /choices must be a non-empty array/],
    ["duplicate choices", () => Input.string({ choices: ["a", "a"] }), /choices contain duplicates/],
    ["string choices on an integer", () => Input.integer(loose({ choices: ["1"] })), /choice "1" is not an integer/],
    ["choices beside a bound", () => Input.integer({ choices: [1, 2], ge: 1 }), /choices cannot be combined with ge/],
    ["choices on a boolean", () => Input.boolean(loose({ choices: [true] })), /"choices" is not an option of boolean inputs/],
    ["a non-boolean deprecated", () => Input.string(loose({ deprecated: "yes" })), /deprecated must be a boolean/],
    ["an array default that is not an array", () => Input.array(Input.string(), loose({ default: "a" })), /is not an array/],
    ["an array default with a bad element", () => Input.array(Input.integer({ ge: 0 }), { default: [1, -1] }), /has element 1 \(-1\) that is below ge/],
    ["an item builder with a default", () => Input.array(Input.string({ default: "a" })), /item builder cannot take default/],
    ["an array of arrays", () => Input.array(Input.array(Input.string())), /arrays of arrays are not supported/],
    ["a non-builder item", () => Input.array(loose("string")), /must be an item builder/],
  ];
  for (const [what, build, message] of cases) {
    test(`refuses ${what}`, () => assert.throws(build, message));
  }
});

describe("Input builders accept Cog's options", () => {
  test("keep the options they were given, frozen", () => {
    const spec = Input.string({ description: "d", default: "fast", choices: ["fast", "slow"], deprecated: true });
    assert.equal(spec.kind, "string");
    assert.deepEqual(spec.options, { description: "d", default: "fast", choices: ["fast", "slow"], deprecated: true });
    assert.ok(Object.isFrozen(spec) && Object.isFrozen(spec.options) && Object.isFrozen(spec.options.choices));
  });

  test("treat default: undefined as no default", () => {
    assert.equal("default" in Input.string({ default: undefined }).options, false);
  });

  test("accept default: null on every kind", () => {
    for (const spec of [Input.string({ default: null }), Input.integer({ default: null }), Input.path({ default: null }), Input.array(Input.path(), { default: null })]) {
      assert.equal(spec.options.default, null);
    }
  });

  test("do not share an array default with the caller", () => {
    const value = [1, 2];
    const spec = Input.array(Input.integer(), { default: value });
    value.push(3);
    assert.deepEqual(spec.options.default, [1, 2]);
  });
});

describe("titles follow pydantic", () => {
  test("turn snake_case into Python's str.title() of the spaced name", () => {
    assert.equal(pythonTitle("no_default"), "No Default");
    assert.equal(pythonTitle("n"), "N");
    assert.equal(pythonTitle("image_URL"), "Image Url");
    assert.equal(pythonTitle("x2y"), "X2Y");
    assert.equal(pythonTitle("_private"), " Private");
  });
});
