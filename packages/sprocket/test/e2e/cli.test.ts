// The `sprocket` command as a user meets it: the real binary, real servers, exit codes and the
// lines it prints. Exit codes are documented in the README (Command line → Exit codes).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { FIXTURES_DIR, startServer, tempDir, type TestServer } from "./harness.ts";
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

describe("build", () => {
  test("prints the version id push produces; ignore files (.sprocketignore and .dockerignore) are honoured", async () => {
    const dir = path.join(tempDir(), "m");
    assert.equal((await cli(["init", "--typescript", dir])).code, 0);
    const first = await cli(["build", dir]);
    assert.equal(first.code, 0, first.stderr);
    const id = first.stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);

    mkdirSync(path.join(dir, "tmp"));
    writeFileSync(path.join(dir, "tmp", "scratch.txt"), "ignored by .sprocketignore");
    writeFileSync(path.join(dir, ".dockerignore"), "*.ckpt\n");
    writeFileSync(path.join(dir, "old.ckpt"), "ignored by .dockerignore");
    const withDockerignore = (await cli(["build", dir])).stdout.trim();
    // .dockerignore itself is part of the bundle (it is a file of the model), the ignored files are not.
    assert.notEqual(withDockerignore, id);
    writeFileSync(path.join(dir, "tmp", "scratch.txt"), "changed");
    writeFileSync(path.join(dir, "old.ckpt"), "changed");
    assert.equal((await cli(["build", dir])).stdout.trim(), withDockerignore);

    const push = await cli(["push", dir, "admin/built", "--server", server.url], { env: { SPROCKET_API_TOKEN: server.token } });
    assert.equal(push.code, 0, push.stderr);
    assert.equal(push.stdout.trim().split("\n").at(-1), withDockerignore);
  });

  test("an invalid cog.yaml names the file, the line and the fix (exit 6)", async () => {
    const dir = path.join(tempDir(), "m");
    await cli(["init", "--python", dir]);
    writeFileSync(path.join(dir, "cog.yaml"), 'build:\n  python_version: "3.11"\npredict: "predict.py:Predictor"\nconcurency:\n  max: 2\n');
    const typo = await cli(["build", dir]);
    assert.equal(typo.code, 6);
    assert.equal(typo.stderr.trim(), `sprocket: ${path.join(dir, "cog.yaml")}:4: unknown key "concurency" — did you mean "concurrency"?`);

    writeFileSync(path.join(dir, "cog.yaml"), 'predict: "predict.py:Missing"\n');
    const missingClass = await cli(["build", dir]);
    assert.equal(missingClass.code, 6);
    assert.match(missingClass.stderr, /cog\.yaml:1: predict\.py:Missing could not be loaded: .*Missing/);
    assert.equal(missingClass.stderr.trim().split("\n").length, 1, missingClass.stderr);
  });

  test("an unchanged big file is hashed once: a rebuild reads only what changed", async () => {
    const dir = path.join(tempDir(), "m");
    await cli(["init", "--typescript", dir]);
    const size = 8 * 1024 * 1024;
    writeFileSync(path.join(dir, "weights.bin"), Buffer.alloc(size, 7));
    const first = JSON.parse((await cli(["build", dir, "--json"])).stdout);
    assert.ok(first.hashed_bytes >= size);
    appendFileSync(path.join(dir, "predict.ts"), "// a one-line change\n");
    const second = JSON.parse((await cli(["build", dir, "--json"])).stdout);
    assert.notEqual(second.id, first.id);
    assert.ok(second.hashed_bytes < 64 * 1024, `the rebuild hashed ${second.hashed_bytes} bytes`);
    assert.equal(second.files["weights.bin"], first.files["weights.bin"]);
  });
});

describe("login", () => {
  test("saves server and token (0600); commands use them; flags and environment win", async () => {
    const config = path.join(tempDir(), "xdg");
    const env = { XDG_CONFIG_HOME: config };
    const bad = await cli(["login", "--server", server.url, "--token-stdin"], { env, input: "r8_wrong\n" });
    assert.equal(bad.code, 4);
    assert.equal(existsSync(path.join(config, "sprocket", "config.json")), false);

    const ok = await cli(["login", "--server", server.url, "--token-stdin"], { env, input: `${server.token}\n` });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /logged in to .* as admin/);
    const file = path.join(config, "sprocket", "config.json");
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const listed = await cli(["models", "list", "--json"], { env });
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(Array.isArray(JSON.parse(listed.stdout).results));
    // The environment's token wins over the saved one, and --server over the saved server.
    assert.equal((await cli(["models", "list"], { env: { ...env, SPROCKET_API_TOKEN: "r8_wrong" } })).code, 4);
    assert.equal((await cli(["models", "list", "--server", "http://127.0.0.1:9"], { env })).code, 3);
  });
});

describe("run, predictions, @file inputs and file outputs", () => {
  const auth = () => ({ SPROCKET_API_TOKEN: server.token, SPROCKET_URL: server.url });

  for (const language of ["python", "typescript"] as const) {
    test(`init → build → push → run round trip (${language})`, async () => {
      const dir = path.join(tempDir(), "m");
      await cli(["init", `--${language}`, dir]);
      const built = (await cli(["build", dir])).stdout.trim();
      const pushed = await cli(["push", dir, `admin/round-${language}`], { env: auth() });
      assert.equal(pushed.code, 0, pushed.stderr);
      assert.equal(pushed.stdout.trim(), built);
      const run = await cli(["run", `admin/round-${language}:${built}`, "-i", "name=Ada"], { env: auth() });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), "hello Ada");
    });
  }

  test("@file inputs are uploaded and file outputs written to disk; --json parses; list/get/cancel", async () => {
    const dir = tempDir();
    await cli(["push", path.join(FIXTURES_DIR, "file-info"), "admin/file-info"], { env: auth() });
    await cli(["push", path.join(FIXTURES_DIR, "ts-files"), "admin/ts-files"], { env: auth() });
    writeFileSync(path.join(dir, "photo.txt"), "not really a photo");

    const info = await cli(["run", "admin/file-info", "-i", `file=@${path.join(dir, "photo.txt")}`, "--json"], { env: auth() });
    assert.equal(info.code, 0, info.stderr);
    const prediction = JSON.parse(info.stdout);
    assert.equal(prediction.status, "succeeded");
    assert.equal(prediction.output.file.name, "photo.txt");
    assert.equal(prediction.output.file.text, "not really a photo");

    const out = path.join(dir, "out");
    const files = await cli(["run", "admin/ts-files", "-i", "size=300", "-o", out], { env: auth() });
    assert.equal(files.code, 0, files.stderr);
    assert.match(files.stderr, /wrote .*out\.bin/);
    const bytes = readFileSync(path.join(out, "out.bin"));
    assert.equal(bytes.length, 300);
    assert.equal(bytes[260], 260 % 251);
    assert.equal(readFileSync(path.join(out, "a.txt"), "utf8"), "part a");
    assert.equal(JSON.parse(files.stdout).file, path.join(out, "out.bin"));

    const local = await cli(["predict", path.join(FIXTURES_DIR, "ts-files"), "-i", "size=5", "-o", path.join(dir, "local")]);
    assert.equal(local.code, 0, local.stderr);
    assert.equal(readFileSync(path.join(dir, "local", "out.bin")).length, 5);
    const localFile = await cli(["predict", path.join(FIXTURES_DIR, "file-info"), "-i", `file=@${path.join(dir, "photo.txt")}`, "--json"]);
    assert.equal(JSON.parse(localFile.stdout).output.file.text, "not really a photo");

    const list = JSON.parse((await cli(["predictions", "list", "--json"], { env: auth() })).stdout);
    assert.ok(list.results.some((p: { id: string }) => p.id === prediction.id));
    const got = await cli(["predictions", "get", prediction.id], { env: auth() });
    assert.match(got.stdout, /status:\s+succeeded/);
    assert.equal((await cli(["predictions", "get", "nosuchprediction"], { env: auth() })).code, 5);
    const models = JSON.parse((await cli(["models", "get", "admin/ts-files", "--json"], { env: auth() })).stdout);
    assert.equal(models.name, "ts-files");
    assert.equal(JSON.parse((await cli(["deployments", "list", "--json"], { env: auth() })).stdout).results.length, 0);
  });

  test("--stream prints tokens; a failed prediction exits 1", async () => {
    await cli(["push", path.join(FIXTURES_DIR, "tokens"), "admin/tokens"], { env: auth() });
    const streamed = await cli(["run", "admin/tokens", "-i", "count=3", "-i", "pause=0", "--stream"], { env: auth() });
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.equal(streamed.stdout.trim(), "w0 w1 w2");
    await cli(["push", path.join(FIXTURES_DIR, "fails"), "admin/fails"], { env: auth() });
    const failed = await cli(["run", "admin/fails"], { env: auth() });
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /failed/);
  });
});

describe("push", () => {
  test("a re-push after a one-line change uploads only the changed file (counted by the server)", async () => {
    const auth = { SPROCKET_API_TOKEN: server.token, SPROCKET_URL: server.url };
    const dir = path.join(tempDir(), "m");
    await cli(["init", "--typescript", dir]);
    writeFileSync(path.join(dir, "weights.bin"), randomBytes(4 * 1024 * 1024));
    const first = await cli(["push", dir, "admin/weighty"], { env: auth });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /file\(s\) uploaded, 4\.\d MiB\)/);
    appendFileSync(path.join(dir, "predict.ts"), "// one more line\n");
    const second = await cli(["push", dir, "admin/weighty"], { env: auth });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /pushed new version of admin\/weighty \(1 file\(s\) uploaded, /);
    assert.doesNotMatch(second.stderr, /MiB\)/);
    // The server agrees: it has every blob of the new version.
    const { missing } = await (
      await fetch(`${server.url}/v1/blobs/missing`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
        body: JSON.stringify({ digests: [JSON.parse((await cli(["build", dir, "--json"])).stdout).files["weights.bin"]] }),
      })
    ).json() as { missing: string[] };
    assert.deepEqual(missing, []);
    // And the server keeps one copy of the weights on disk for both versions, not one per push.
    const copies = (readdirSync(server.dataDir, { recursive: true }) as string[]).filter((file) => path.basename(file) === "weights.bin" && !file.includes(".tmp"));
    const ids = [first, second].map((pushed) => pushed.stdout.trim().split("\n").at(-1)!);
    const weights = ids.map((id) => copies.find((file) => file.split(path.sep).includes(id)));
    assert.ok(weights[0] && weights[1], `weights.bin of both versions under ${server.dataDir}: ${copies.join(", ")}`);
    assert.equal(statSync(path.join(server.dataDir, weights[0])).ino, statSync(path.join(server.dataDir, weights[1])).ino);
  });
});

describe("deployments create and update", () => {
  test("create takes the model's latest version; update moves it to another one; both print the release (--json parses)", async () => {
    const auth = { SPROCKET_API_TOKEN: server.token, SPROCKET_URL: server.url };
    const dir = path.join(tempDir(), "m");
    await cli(["init", "--typescript", dir]);
    const first = (await cli(["push", dir, "admin/deployed"], { env: auth })).stdout.trim();
    const created = await cli(["deployments", "create", "deployed-prod", "--model", "admin/deployed", "--max", "2", "--json"], { env: auth });
    assert.equal(created.code, 0, created.stderr);
    const release = JSON.parse(created.stdout).current_release;
    assert.equal(release.version, first);
    assert.deepEqual(release.configuration, { hardware: "cpu", min_instances: 0, max_instances: 2 });

    appendFileSync(path.join(dir, "predict.ts"), "// release 2\n");
    const second = (await cli(["push", dir, "admin/deployed"], { env: auth })).stdout.trim();
    const updated = await cli(["deployments", "update", "admin/deployed-prod", "--version", second, "--max", "3"], { env: auth });
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(updated.stdout, new RegExp(`version:\\s+${second}`));
    assert.match(updated.stdout, /release:\s+2\n/);
    assert.match(updated.stdout, /max_instances:\s+3/);

    assert.equal((await cli(["deployments", "update", "admin/deployed-prod"], { env: auth })).code, 2);
    assert.equal((await cli(["deployments", "update", "admin/deployed-prod", "--min", "lots"], { env: auth })).code, 2);
    const missing = await cli(["deployments", "create", "nope", "--model", "admin/no-such-model"], { env: auth });
    assert.equal(missing.code, 5, missing.stderr);
    assert.equal(missing.stderr.trim().split("\n").length, 1, missing.stderr);
  });
});
