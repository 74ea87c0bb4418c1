// The `sprocket` command as a user meets it: the real binary, real servers, exit codes and the
// lines it prints. Exit codes are documented in the README (Command line → Exit codes).
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { startServer, tempDir, type TestServer } from "./harness.ts";
import { cli } from "./cli-run.ts";

let server: TestServer;
before(async () => {
  server = await startServer({ env: { SPROCKET_EXAMPLES: "false" } });
});

describe("errors and exit codes", () => {
  test("an unknown flag is one line on stderr and exit 2", async () => {
    const result = await cli(["push", "--bogus"]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, /unknown option '--bogus'/);
  });

  test("an unknown command and a missing argument are usage errors (2)", async () => {
    assert.equal((await cli(["frobnicate"])).code, 2);
    assert.equal((await cli(["push"])).code, 2);
  });

  test("--help shows examples and exits 0", async () => {
    const result = await cli(["push", "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Examples:\n\s+\$ sprocket push/);
  });

  test("an unreachable server is exit 3, with no stack trace", async () => {
    const result = await cli(["models", "list", "--server", "http://127.0.0.1:9"], { env: { SPROCKET_API_TOKEN: "r8_x" } });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /cannot reach the Sprocket server at http:\/\/127\.0\.0\.1:9/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  test("a refused token is exit 4 and says what to do", async () => {
    const result = await cli(["models", "list", "--server", server.url], { env: { SPROCKET_API_TOKEN: "r8_wrong" } });
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /sprocket login/);
  });

  test("--debug adds the stack trace", async () => {
    const result = await cli(["models", "list", "--server", "http://127.0.0.1:9", "--debug"], { env: { SPROCKET_API_TOKEN: "r8_x" } });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /\n\s+at /);
  });
});

describe("init", () => {
  for (const language of ["python", "typescript"] as const) {
    test(`the ${language} scaffold runs as is`, async () => {
      const dir = path.join(tempDir(), "my-model");
      const init = await cli(["init", `--${language}`, dir]);
      assert.equal(init.code, 0, init.stderr);
      assert.ok(existsSync(path.join(dir, ".sprocketignore")) && existsSync(path.join(dir, "README.md")));
      const predict = await cli(["predict", dir, "-i", "name=Ada"]);
      assert.equal(predict.code, 0, predict.stderr);
      assert.equal(predict.stdout.trim(), "hello Ada");
    });
  }

  test("init never overwrites a file", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "cog.yaml"), "predict: mine.py:Mine\n");
    const result = await cli(["init", dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cog\.yaml already exists/);
    assert.equal(readFileSync(path.join(dir, "cog.yaml"), "utf8"), "predict: mine.py:Mine\n");
  });
});
