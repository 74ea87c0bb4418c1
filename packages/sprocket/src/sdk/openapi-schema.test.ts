import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { COG_SCHEMA_KEYWORDS, Input, Output, buildOpenApiSchema, definePredictor, inputSchemaFor } from "./index.ts";

// ajv-formats is CommonJS; under ESM its function sits on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => void;

// The "rich" predictor of cog.md §3.5, written with the TS SDK.
const rich = definePredictor({
  inputs: {
    text: Input.string({ description: "Some text", min_length: 1, max_length: 50, regex: "^[a-z ]+$" }),
    n: Input.integer({ default: 3, ge: 1, le: 10 }),
    temp: Input.number({ default: 0.5, ge: 0, le: 1 }),
    flag: Input.boolean({ default: false }),
    mode: Input.string({ default: "fast", choices: ["fast", "slow"] }),
    k: Input.integer({ default: 1, choices: [1, 2, 4] }),
    token: Input.secret({ default: null }),
    image: Input.path({ default: null }),
    files: Input.array(Input.path(), { default: null }),
    maybe: Input.string({ default: null }),
    old: Input.string({ default: "x", deprecated: true }),
    delay: Input.number({ default: 0 }),
  },
  output: Output.iterator(Output.string(), { concatenate: true }),
  async *predict({ text }) {
    yield text;
  },
});

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, found);
  else if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string") found.push(v);
      else refsIn(v, found);
    }
  }
  return found;
}

function resolve(doc: unknown, ref: string): unknown {
  assert.ok(ref.startsWith("#/"), `${ref} points outside the document`);
  return ref
    .slice(2)
    .split("/")
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

describe("the OpenAPI document of the rich predictor of cog.md §3.5", () => {
  const doc = buildOpenApiSchema(rich);
  const schemas = doc.components.schemas;

  test("renders every input as Cog does, with pydantic v2 numbers and nullable for default null", () => {
    assert.deepEqual(schemas.Input, {
      title: "Input",
      type: "object",
      properties: {
        text: { title: "Text", type: "string", minLength: 1, maxLength: 50, pattern: "^[a-z ]+$", description: "Some text", "x-order": 0 },
        n: { title: "N", type: "integer", minimum: 1, maximum: 10, default: 3, "x-order": 1 },
        temp: { title: "Temp", type: "number", minimum: 0, maximum: 1, default: 0.5, "x-order": 2 },
        flag: { title: "Flag", type: "boolean", default: false, "x-order": 3 },
        mode: { allOf: [{ $ref: "#/components/schemas/mode" }], default: "fast", "x-order": 4 },
        k: { allOf: [{ $ref: "#/components/schemas/k" }], default: 1, "x-order": 5 },
        // Cog 0.16 omits nullable here (the Python annotation is not Optional); we add it
        // because a TS input is optional only through default: null.
        token: { title: "Token", type: "string", format: "password", "x-cog-secret": true, nullable: true, "x-order": 6 },
        image: { title: "Image", type: "string", format: "uri", nullable: true, "x-order": 7 },
        files: { title: "Files", type: "array", items: { type: "string", format: "uri" }, nullable: true, "x-order": 8 },
        maybe: { title: "Maybe", type: "string", nullable: true, "x-order": 9 },
        old: { title: "Old", type: "string", default: "x", deprecated: true, "x-order": 10 },
        delay: { title: "Delay", type: "number", default: 0, "x-order": 11 },
      },
      required: ["text"],
    });
  });

  test("adds one enum component per choices input, named after the input", () => {
    assert.deepEqual(schemas.mode, { title: "mode", description: "An enumeration.", enum: ["fast", "slow"], type: "string" });
    assert.deepEqual(schemas.k, { title: "k", description: "An enumeration.", enum: [1, 2, 4], type: "integer" });
  });

  test("renders a concatenate iterator output as an array of strings with both x-cog markers", () => {
    assert.deepEqual(schemas.Output, {
      title: "Output",
      type: "array",
      items: { type: "string" },
      "x-cog-array-type": "iterator",
      "x-cog-array-display": "concatenate",
    });
  });

  test("carries Cog's document header, paths and operationIds", () => {
    assert.equal(doc.openapi, "3.0.2");
    assert.deepEqual(doc.info, { title: "Cog", version: "0.1.0" });
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, { operationId: string }>).map(([method, op]) => `${method} ${path} ${op.operationId}`),
    );
    assert.deepEqual(operations, [
      "get / root__get",
      "get /health-check healthcheck_health_check_get",
      "post /predictions predict_predictions_post",
      "put /predictions/{prediction_id} predict_idempotent_predictions__prediction_id__put",
      "post /predictions/{prediction_id}/cancel cancel_predictions__prediction_id__cancel_post",
      "post /shutdown start_shutdown_shutdown_post",
    ]);
    const predict = (doc.paths["/predictions"] as Record<string, Record<string, unknown>>).post;
    assert.deepEqual(predict.parameters, [{ in: "header", name: "prefer", required: false, schema: { title: "Prefer", type: "string" } }]);
    assert.deepEqual(Object.keys(predict.responses as object), ["200", "422"]);
  });

  test("carries Cog's fixed components", () => {
    assert.deepEqual(schemas.Status.enum, ["starting", "processing", "succeeded", "canceled", "failed"]);
    assert.deepEqual(schemas.WebhookEvent.enum, ["start", "output", "logs", "completed"]);
    const request = schemas.PredictionRequest.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(request), ["input", "id", "created_at", "context", "output_file_prefix", "webhook", "webhook_events_filter"]);
    assert.deepEqual(request.webhook_events_filter.default, ["start", "output", "logs", "completed"]);
    const response = schemas.PredictionResponse.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(response.output, { $ref: "#/components/schemas/Output" });
    assert.deepEqual(response.logs, { title: "Logs", type: "string", default: "" });
    assert.deepEqual(schemas.ValidationError.required, ["loc", "msg", "type"]);
  });

  test("resolves every $ref inside the document", () => {
    const refs = refsIn(doc);
    assert.ok(refs.length > 10);
    for (const ref of refs) assert.ok(resolve(doc, ref) !== undefined, `${ref} does not resolve`);
  });

  test("is a fresh object on every call, so a caller may change it safely", () => {
    const a = buildOpenApiSchema(rich);
    (a.components.schemas.Input.properties as Record<string, unknown>).text = "changed";
    assert.notEqual((buildOpenApiSchema(rich).components.schemas.Input.properties as Record<string, unknown>).text, "changed");
  });
});

describe("the Input schema a server validates against", () => {
  function strictAjv(): Ajv {
    const ajv = new Ajv({ useDefaults: true });
    addFormats(ajv);
    ajv.addFormat("password", true);
    ajv.addVocabulary([...COG_SCHEMA_KEYWORDS]);
    return ajv;
  }

  test("compiles in strict ajv and enforces bounds, patterns and choices", () => {
    const validate = strictAjv().compile(inputSchemaFor(rich));
    assert.equal(validate({ text: "hello" }), true);
    assert.equal(validate({ text: "Hello" }), false, "regex");
    assert.equal(validate({ text: "" }), false, "min_length");
    assert.equal(validate({ text: "a", n: 11 }), false, "le");
    assert.equal(validate({ text: "a", mode: "medium" }), false, "choices");
    assert.equal(validate({ text: "a", k: 3 }), false, "int choices");
    assert.equal(validate({ n: 3 }), false, "required");
    assert.equal(validate({ text: "a", token: null, files: null, maybe: null }), true, "default null accepts null");
  });

  test("applies schema defaults under ajv's useDefaults", () => {
    const validate = strictAjv().compile(inputSchemaFor(rich));
    const input: Record<string, unknown> = { text: "a" };
    assert.equal(validate(input), true);
    assert.deepEqual(input, { text: "a", n: 3, temp: 0.5, flag: false, mode: "fast", k: 1, old: "x", delay: 0 });
  });

  test("validates the same through the whole document's Input component", () => {
    const ajv = strictAjv();
    ajv.addSchema(buildOpenApiSchema(rich), "doc");
    const validate = ajv.getSchema("doc#/components/schemas/Input");
    assert.ok(validate);
    assert.equal(validate({ text: "a", mode: "slow" }), true);
    assert.equal(validate({ text: "a", mode: "medium" }), false);
  });
});

describe("documents of smaller predictors", () => {
  test("an untyped output is just the Output title, and no inputs means no required list", () => {
    const doc = buildOpenApiSchema(definePredictor({ predict: () => 1 }));
    assert.deepEqual(doc.components.schemas.Output, { title: "Output" });
    assert.deepEqual(doc.components.schemas.Input, { title: "Input", type: "object", properties: {} });
  });

  test("an Output object is inlined with titled, required fields", () => {
    const output = Output.object({ file_url: Output.path(), n_tokens: Output.integer(), tags: Output.array(Output.string()) });
    const doc = buildOpenApiSchema(definePredictor({ output, predict: () => ({ file_url: "/tmp/x", n_tokens: 1, tags: [] }) }));
    assert.deepEqual(doc.components.schemas.Output, {
      title: "Output",
      type: "object",
      properties: {
        file_url: { title: "File Url", type: "string", format: "uri" },
        n_tokens: { title: "N Tokens", type: "integer" },
        tags: { title: "Tags", type: "array", items: { type: "string" } },
      },
      required: ["file_url", "n_tokens", "tags"],
    });
  });

  test("a plain iterator has the iterator marker but no concatenate display", () => {
    const doc = buildOpenApiSchema(definePredictor({ output: Output.iterator(Output.path()), *predict() {} }));
    assert.deepEqual(doc.components.schemas.Output, {
      title: "Output",
      type: "array",
      items: { type: "string", format: "uri" },
      "x-cog-array-type": "iterator",
    });
  });

  test("array items keep their own constraints and secrets their markers", () => {
    const doc = buildOpenApiSchema(
      definePredictor({
        inputs: {
          sizes: Input.array(Input.integer({ ge: 1 }), { default: [1, 2], description: "Sizes" }),
          keys: Input.array(Input.secret()),
        },
        predict: () => null,
      }),
    );
    const properties = doc.components.schemas.Input.properties as Record<string, unknown>;
    assert.deepEqual(properties.sizes, {
      title: "Sizes",
      type: "array",
      items: { type: "integer", minimum: 1 },
      description: "Sizes",
      default: [1, 2],
      "x-order": 0,
    });
    assert.deepEqual(properties.keys, {
      title: "Keys",
      type: "array",
      items: { type: "string", format: "password", "x-cog-secret": true },
      "x-order": 1,
    });
    assert.deepEqual(doc.components.schemas.Input.required, ["keys"]);
  });
});
