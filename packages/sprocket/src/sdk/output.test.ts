import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Output } from "./index.ts";

describe("Output builders render Cog's return annotations", () => {
  test("primitives, any and path", () => {
    assert.deepEqual(Output.string().schema, { type: "string" });
    assert.deepEqual(Output.integer().schema, { type: "integer" });
    assert.deepEqual(Output.number().schema, { type: "number" });
    assert.deepEqual(Output.boolean().schema, { type: "boolean" });
    assert.deepEqual(Output.any().schema, {});
    assert.deepEqual(Output.path().schema, { type: "string", format: "uri" });
  });

  test("a list is a plain array", () => {
    assert.deepEqual(Output.array(Output.path()).schema, { type: "array", items: { type: "string", format: "uri" } });
  });

  test("an object with no fields has no required list", () => {
    assert.deepEqual(Output.object({}).schema, { type: "object", properties: {} });
  });

  test("schemas are frozen, so one spec can back many documents", () => {
    const spec = Output.object({ a: Output.array(Output.string()) });
    assert.ok(Object.isFrozen(spec.schema) && Object.isFrozen((spec.schema.properties as Record<string, object>).a));
  });
});

describe("Output builders refuse what Cog cannot express", () => {
  test("refuse concatenate over non-string items", () => {
    assert.throws(() => Output.iterator(Output.integer(), { concatenate: true }), /concatenate needs string items/);
  });
  test("refuse nested iterators and iterators inside arrays or objects", () => {
    assert.throws(() => Output.iterator(Output.iterator(Output.string())), /cannot be nested/);
    assert.throws(() => Output.array(Output.iterator(Output.string())), /cannot be an array element/);
    assert.throws(() => Output.object({ s: Output.iterator(Output.string()) }), /cannot be a field/);
  });
  test("refuse something that is not a builder", () => {
    assert.throws(() => Output.array("string" as never), /expected an Output builder/);
    assert.throws(() => Output.object({ a: Output.string as never }), /field "a": expected an Output builder/);
  });
  test("refuse unknown iterator options", () => {
    assert.throws(() => Output.iterator(Output.string(), { concat: true } as never), /"concat" is not an option/);
  });
});
