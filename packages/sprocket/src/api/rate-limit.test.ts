import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../errors/index.ts";
import { RateLimiter } from "./rate-limit.ts";

test("the request past the limit is refused with a 429 and an integer Retry-After until the window ends", () => {
  const limiter = new RateLimiter({ create: 2, other: 100 });
  limiter.check("t", "create", 0);
  limiter.check("t", "create", 1000);
  assert.throws(
    () => limiter.check("t", "create", 15_500),
    (error: unknown) => error instanceof AppError && error.status === 429 && error.headers?.["retry-after"] === "45",
  );
  limiter.check("t", "create", 60_000);
});

test("limits count per token and per kind of request, and 0 turns a kind off", () => {
  const limiter = new RateLimiter({ create: 1, other: 0 });
  limiter.check("a", "create", 0);
  limiter.check("b", "create", 0);
  for (let i = 0; i < 1000; i++) limiter.check("a", "other", 0);
});
