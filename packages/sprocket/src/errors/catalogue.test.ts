import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { AppError } from "./app-error.ts";
import { ERROR_CATALOGUE } from "./catalogue.ts";
import { toProblem } from "./problem.ts";

const docs = readFileSync(new URL("../../../../docs/errors.md", import.meta.url), "utf8");
const documented = new Map([...docs.matchAll(/^\| `([a-z_]+)` \| (\d{3}|—) \|/gm)].map((m) => [m[1], m[2]]));

test("docs/errors.md documents every error code with its HTTP status, and nothing else", () => {
  for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
    assert.ok(documented.has(code), `docs/errors.md lacks ${code}`);
    const shown = documented.get(code)!;
    if (shown !== "—") assert.equal(Number(shown), status, `status of ${code}`);
  }
  for (const code of documented.keys()) assert.ok(code in ERROR_CATALOGUE, `docs/errors.md lists unknown code ${code}`);
});

test("an AppError becomes a problem body in Replicate's shape with the code beside it", () => {
  const body = toProblem(new AppError("invalid_version", "The specified version does not exist"));
  assert.deepEqual(body, {
    title: "Invalid version or not permitted",
    detail: "The specified version does not exist",
    status: 422,
    code: "invalid_version",
  });
});

test("an unexpected error becomes a 500 that reveals nothing of its message", () => {
  const body = toProblem(new Error("secret path /etc/x"));
  assert.equal(body.status, 500);
  assert.doesNotMatch(body.detail, /secret/);
});
