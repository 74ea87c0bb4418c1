import assert from "node:assert/strict";
import { test } from "node:test";
import { modelEnvironment } from "./child-env.ts";

test("model processes get the server's environment without Sprocket's settings: no S3 keys, no tokens", () => {
  const env = modelEnvironment({
    PATH: "/usr/bin",
    HOME: "/home/x",
    SPROCKET_S3_BUCKET: "b",
    SPROCKET_S3_ACCESS_KEY_ID: "AKIA",
    SPROCKET_S3_SECRET_ACCESS_KEY: "hunter2",
    SPROCKET_DATABASE_URL: "postgres://u:p@h/db",
    SPROCKET_ADMIN_TOKEN: "r8_x",
    REPLICATE_API_TOKEN: "r8_y",
    UNSET: undefined,
  });
  assert.deepEqual(env, { PATH: "/usr/bin", HOME: "/home/x" });
});
