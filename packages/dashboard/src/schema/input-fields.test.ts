import { describe, expect, test } from "vitest";
import { inputFields, outputDisplay } from "./input-fields.ts";
import { buildInput, initialValues } from "./input-values.ts";

/** A version schema as Cog and Sprocket's SDK write it (properties out of x-order on purpose). */
const schema = {
  openapi: "3.0.2",
  components: {
    schemas: {
      Input: {
        title: "Input",
        type: "object",
        required: ["image", "mode"],
        properties: {
          image: { title: "Image", type: "string", format: "uri", description: "The picture", "x-order": 1 },
          prompt: { title: "Prompt", type: "string", default: "a cat", "x-order": 0 },
          temperature: { title: "Temperature", type: "number", minimum: 0.1, maximum: 5, default: 1, "x-order": 3 },
          seed: { title: "Seed", type: "integer", minimum: 0, "x-order": 4 },
          mode: { allOf: [{ $ref: "#/components/schemas/mode" }], "x-order": 2 },
          grayscale: { title: "Grayscale", type: "boolean", default: false, "x-order": 5 },
          api_key: { title: "Api Key", type: "string", format: "password", "x-cog-secret": true, "x-order": 6 },
          files: { title: "Files", type: "array", items: { type: "string", format: "uri" }, "x-order": 7 },
          sizes: { title: "Sizes", type: "array", items: { type: "integer" }, default: [1, 2], "x-order": 8 },
          extra: { title: "Extra", type: "object", "x-order": 9 },
          tokens: { title: "Tokens", type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 11, "x-order": 10 },
        },
      },
      mode: { title: "mode", description: "An enumeration.", enum: ["fast", "best"], type: "string" },
      Output: { title: "Output", type: "array", items: { type: "string" }, "x-cog-array-type": "iterator", "x-cog-array-display": "concatenate" },
    },
  },
};

describe("schema → form fields", () => {
  const fields = inputFields(schema);

  test("fields follow x-order, not the order of the properties", () => {
    expect(fields.map((f) => f.name)).toEqual(["prompt", "image", "mode", "temperature", "seed", "grayscale", "api_key", "files", "sizes", "extra", "tokens"]);
  });

  test("each field gets the control its type asks for", () => {
    const kinds = Object.fromEntries(fields.map((f) => [f.name, f.kind]));
    expect(kinds).toEqual({
      prompt: "textarea",
      image: "file",
      mode: "select",
      temperature: "slider",
      seed: "integer",
      grayscale: "boolean",
      api_key: "secret",
      files: "files",
      sizes: "list",
      extra: "json",
      tokens: "slider",
    });
  });

  test("an enum behind allOf/$ref becomes a select with its choices; required, defaults and descriptions are kept", () => {
    const mode = fields.find((f) => f.name === "mode")!;
    expect(mode.choices).toEqual(["fast", "best"]);
    expect(mode.required).toBe(true);
    expect(fields.find((f) => f.name === "prompt")).toMatchObject({ default: "a cat", required: false, title: "Prompt" });
    expect(fields.find((f) => f.name === "image")!.description).toBe("The picture");
  });

  test("a range gives a slider's bounds and a step of about a hundredth; exclusive integer bounds move inwards", () => {
    expect(fields.find((f) => f.name === "temperature")).toMatchObject({ minimum: 0.1, maximum: 5, step: 0.01 });
    expect(fields.find((f) => f.name === "tokens")).toMatchObject({ minimum: 1, maximum: 10, step: 1 });
  });

  test("a schema without inputs has no fields; a concatenating iterator is recognised", () => {
    expect(inputFields({})).toEqual([]);
    expect(inputFields(null)).toEqual([]);
    expect(outputDisplay(schema)).toEqual({ iterator: true, concatenate: true });
    expect(outputDisplay({ components: { schemas: { Output: { type: "string" } } } })).toEqual({ iterator: false, concatenate: false });
  });

  test("Pydantic 2's anyOf [X, null] is read as X", () => {
    const [field] = inputFields({ components: { schemas: { Input: { properties: { n: { anyOf: [{ type: "integer" }, { type: "null" }], title: "N" } } } } } });
    expect(field.kind).toBe("integer");
  });
});

describe("form values → prediction input", () => {
  const fields = inputFields(schema);

  test("defaults fill the form; untouched optional fields are left out so the model's defaults apply", () => {
    const values = initialValues(fields);
    expect(values.prompt).toBe("a cat");
    expect(values.temperature).toBe("1");
    expect(values.sizes).toBe("1\n2");
    expect(values.files).toEqual([]);
    const { input, problems } = buildInput(fields, { ...values, image: "https://example.com/a.png", mode: "best" });
    expect(problems).toEqual({});
    expect(input).toEqual({ prompt: "a cat", image: "https://example.com/a.png", mode: "best", temperature: 1, grayscale: false, sizes: [1, 2] });
  });

  test("numbers are numbers, JSON is parsed, and what cannot be sent is named per field", () => {
    const values = { ...initialValues(fields), seed: "7", extra: '{"a": 1}', mode: "fast" };
    expect(buildInput(fields, values).problems).toEqual({ image: "required" });
    const { input } = buildInput(fields, { ...values, image: "data:image/png;base64,AA==" });
    expect(input).toMatchObject({ seed: 7, extra: { a: 1 } });
    expect(buildInput(fields, { ...values, image: "x", extra: "{nope" }).problems).toEqual({ extra: "not valid JSON" });
    expect(buildInput(fields, { ...values, image: "x", sizes: "1\ntwo" }).problems).toEqual({ sizes: "one number per line" });
  });
});
