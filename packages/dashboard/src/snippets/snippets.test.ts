import { describe, expect, test } from "vitest";
import { pythonLiteral, shellQuote, snippet } from "./snippets.ts";

const origin = "http://127.0.0.1:5000";
const input = { name: "O'Brien", n: 2, loud: true, tags: ["a"], extra: null };

describe("copy as curl / JS / Python", () => {
  test("curl posts the same body to the model's predictions route, the token from the environment, quotes safe for the shell", () => {
    const curl = snippet("curl", { origin, model: "admin/hello", input });
    expect(curl).toContain(`${origin}/v1/models/admin/hello/predictions`);
    expect(curl).toContain('-H "Authorization: Bearer $REPLICATE_API_TOKEN"');
    expect(curl).toContain(`-d '{\n  "input": {\n    "name": "O'\\''Brien",\n    "n": 2,`);
    expect(curl).toContain("Prefer: wait");
  });

  test("a specific version posts to /v1/predictions with the version; a deployment to its own route", () => {
    expect(snippet("curl", { origin, model: "admin/hello", version: "abc", input: {} })).toContain(`'{\n  "version": "abc",\n  "input": {}\n}'`);
    expect(snippet("curl", { origin, deployment: "admin/greeter", input: {} })).toContain("/v1/deployments/admin/greeter/predictions");
  });

  test("JavaScript uses the official client with this server's /v1 as baseUrl and run(owner/name[:version])", () => {
    const js = snippet("javascript", { origin, model: "admin/hello", version: "abc", input: { name: "Ada" } });
    expect(js).toContain('baseUrl: "http://127.0.0.1:5000/v1"');
    expect(js).toContain('replicate.run("admin/hello:abc"');
    expect(js).toContain('"name": "Ada"');
    expect(snippet("javascript", { origin, deployment: "admin/greeter", input: {} })).toContain('replicate.deployments.predictions.create("admin", "greeter"');
  });

  test("Python writes a Python literal (True/None) and the origin without /v1, as the 1.x client wants", () => {
    const py = snippet("python", { origin, model: "admin/hello", input });
    expect(py).toContain('base_url="http://127.0.0.1:5000"');
    expect(py).toContain('"loud": True');
    expect(py).toContain('"extra": None');
    expect(py).toContain('client.run(\n    "admin/hello"');
  });

  test("no snippet ever contains a token", () => {
    for (const language of ["curl", "javascript", "python"] as const) expect(snippet(language, { origin, model: "a/b", input: {} })).not.toMatch(/r8_/);
  });

  test("helpers: shell quoting and Python literals", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(pythonLiteral({ a: [false, 1.5] })).toBe('{\n    "a": [\n        False,\n        1.5,\n    ],\n}');
  });
});
