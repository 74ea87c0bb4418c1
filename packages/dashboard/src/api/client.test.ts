import { describe, expect, test } from "vitest";
import { Api, ApiError, createPath, pathOf, problemText } from "./client.ts";

/** A fetch that records each call and answers with `status` and `body`. */
function fakeFetch(status: number, body: unknown, calls: { url: string; init: RequestInit }[]) {
  return (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
}

describe("the API client", () => {
  test("every call carries the bearer token; JSON bodies are sent as JSON", async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const api = new Api("r8_abc", "", fakeFetch(201, { id: "p1" }, calls));
    await api.createPrediction({ target: { kind: "model", model: "admin/hello" }, input: { name: "Ada" } });
    expect(calls[0].url).toBe("/v1/models/admin/hello/predictions");
    expect(calls[0].init.method).toBe("POST");
    expect((calls[0].init.headers as Record<string, string>).authorization).toBe("Bearer r8_abc");
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ input: { name: "Ada" } });
  });

  test("a specific version goes to /v1/predictions with the version; a deployment to its route", () => {
    expect(createPath({ kind: "model", model: "a/b", version: "v1" })).toBe("/v1/predictions");
    expect(createPath({ kind: "deployment", deployment: "a/d" })).toBe("/v1/deployments/a/d/predictions");
  });

  test("a refusal becomes an ApiError with the server's detail and each invalid field", async () => {
    const problem = { status: 422, detail: "Input validation failed", invalid_fields: [{ type: "required", field: "image", description: "image is required" }] };
    const api = new Api("t", "", fakeFetch(422, problem, []));
    const error = await api.prediction("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).message).toBe("Input validation failed\nimage: image is required");
    expect(problemText("", 502)).toBe("HTTP 502");
  });

  test("a next-page URL is followed on the page's own origin; an unreachable server is said so", async () => {
    expect(pathOf("http://10.0.0.5:5000/v1/predictions?cursor=abc")).toBe("/v1/predictions?cursor=abc");
    const api = new Api("t", "", (async () => {
      throw new TypeError("Failed to fetch");
    }) as typeof fetch);
    await expect(api.account()).rejects.toThrow("Could not reach the server (Failed to fetch).");
  });

  test("a 204 (revoke) resolves with nothing", async () => {
    const api = new Api("t", "", fakeFetch(204, undefined, []));
    await expect(api.revokeToken("tok")).resolves.toBeUndefined();
  });
});
