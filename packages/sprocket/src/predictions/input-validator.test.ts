import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../errors/index.ts";
import { buildOpenApiSchema, definePredictor, Input } from "../sdk/index.ts";
import { InputValidator } from "./input-validator.ts";

const schema = buildOpenApiSchema(
  definePredictor({
    inputs: {
      prompt: Input.string({ min_length: 1 }),
      steps: Input.integer({ default: 4, ge: 1, le: 10 }),
      mode: Input.string({ default: "fast", choices: ["fast", "slow"] }),
      secret: Input.secret({ default: null }),
    },
    predict: () => "",
  }),
) as unknown as Record<string, unknown>;

const failure = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  assert.fail("expected a validation error");
};

test("valid input comes back with the schema's defaults filled in, and the caller's object is untouched", () => {
  const validator = new InputValidator();
  const given = { prompt: "a cat" };
  assert.deepEqual(validator.validate("v", schema, given), { prompt: "a cat", steps: 4, mode: "fast" });
  assert.deepEqual(given, { prompt: "a cat" });
});

test("every bad field is named, in Replicate's invalid_fields shape", () => {
  const error = failure(() => new InputValidator().validate("v", schema, { steps: 11, mode: "medium" }));
  assert.equal(error.status, 422);
  const byField = Object.fromEntries(error.invalidFields!.map((f) => [f.field, f]));
  assert.equal(byField["input"].type, "required");
  assert.match(byField["input"].description, /prompt is required/);
  assert.equal(byField["input.steps"].type, "number_lte");
  assert.equal(byField["input.mode"].type, "enum");
  assert.match(byField["input.mode"].description, /"fast", "slow"/);
  assert.match(error.message, /^- input.steps: /m);
});

test("a wrong type and a non-object input are 422s, not crashes", () => {
  assert.equal(failure(() => new InputValidator().validate("v", schema, { prompt: 5 })).invalidFields![0].type, "invalid_type");
  assert.equal(failure(() => new InputValidator().validate("v", schema, "text")).invalidFields![0].field, "input");
});

test("a file input's data: URI must be well formed; URLs and good data URIs pass", () => {
  const files = { components: { schemas: { Input: { type: "object", properties: { image: { type: "string", format: "uri" } } } } } };
  const validator = new InputValidator();
  for (const good of ["data:image/png;base64,iVBORw0KGgo=", "data:,hello%20world", "data:text/plain;name=a.txt;base64,aGk=", "https://example.com/a.png"]) {
    assert.deepEqual(validator.validate("f", files, { image: good }), { image: good }, good);
  }
  for (const bad of ["data:image/png;base64,not base64!", "data:image/png;base64,abc", "data:no-comma", "data:bad type;base64,aGk="]) {
    const error = failure(() => validator.validate("f", files, { image: bad }));
    assert.equal(error.invalidFields![0].field, "input.image", bad);
    assert.equal(error.invalidFields![0].type, "format", bad);
  }
});
