// End-to-end harness: starts real `sprocket serve` processes on temporary data directories and
// hands tests the official `replicate` client pointed at them. Every process started here is
// killed when the test file ends (node:test `after` hook, and a synchronous exit hook as a last
// resort), whether its tests passed or not. Nothing here sleeps: waiting is polling with a deadline.
// With SPROCKET_E2E_SCALE_OUT=1 (bin/run-tests.mjs sets it for its second pass), every server runs
// in scale-out mode instead: on the machine's PostgreSQL (a schema per data directory) and Redis (a
// key prefix per data directory), with the same tests asserting the same behaviour.
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after } from "node:test";
import Replicate from "replicate";

export const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES_DIR = path.join(PACKAGE_ROOT, "test", "fixtures");
const CLI = path.join(PACKAGE_ROOT, "bin", "sprocket.mjs");
const START_TIMEOUT_MS = 20_000;

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

const SCALE_OUT = process.env.SPROCKET_E2E_SCALE_OUT === "1";
const SCALE_OUT_DATABASE = process.env.SPROCKET_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const scaleOutSchemas = new Set<string>();

/** Scale-out settings for a server on `dataDir`: its own schema (created once) and Redis prefix. */
async function scaleOutEnv(dataDir: string): Promise<Record<string, string>> {
  const schema = `sprocket_e2e_${path.basename(dataDir).replace(/[^a-z0-9]/gi, "").toLowerCase()}`;
  if (!scaleOutSchemas.has(schema)) {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: SCALE_OUT_DATABASE });
    await client.connect();
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.end();
    scaleOutSchemas.add(schema);
  }
  return {
    SPROCKET_DATABASE_URL: `${SCALE_OUT_DATABASE}${SCALE_OUT_DATABASE.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    SPROCKET_REDIS_URL: process.env.SPROCKET_TEST_REDIS_URL || "redis://127.0.0.1:6379",
    SPROCKET_REDIS_PREFIX: schema,
  };
}

after(async () => {
  await Promise.all([...children].map((child) => killAndWait(child, "SIGKILL")));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  if (scaleOutSchemas.size > 0) {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: SCALE_OUT_DATABASE });
    await client.connect();
    for (const schema of scaleOutSchemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await client.end();
  }
});
// If the runner dies without running hooks, still leave no server behind.
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

export interface ServerOptions {
  /** Extra environment (SPROCKET_* settings) for the server process. */
  env?: Record<string, string>;
  /** Reuse a data directory (restart); default: a fresh temporary one. */
  dataDir?: string;
  /** The admin token; default: a fixed test token, so it survives restarts. */
  adminToken?: string;
}

export interface TestServer {
  url: string;
  /** The server process's pid. */
  pid: number;
  /** The admin account's API token. */
  token: string;
  dataDir: string;
  /** The official client, authenticated as admin. */
  client: Replicate;
  /** Everything the server printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, then waits for the process to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (no shutdown at all), then waits for the process to exit. */
  kill(): Promise<void>;
  /** Starts a new server process on the same data directory, environment and admin token. */
  restart(): Promise<TestServer>;
}

/** A temporary directory removed when the test file ends. */
export function tempDir(prefix = "sprocket-e2e-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function clientFor(url: string, token: string): Replicate {
  return new Replicate({ auth: token, baseUrl: `${url}/v1` });
}

/** Starts `sprocket serve --port 0` and resolves once it printed its URL and answers /health. */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const adminToken = options.adminToken ?? `r8_e2eadmin${Math.random().toString(36).slice(2)}`;
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--data", dataDir], {
    cwd: PACKAGE_ROOT,
    // Only examples/hello by default (tests that use admin/hello need it): registering every example
    // on each test server's first start would cost seconds per server.
    env: {
      ...process.env,
      SPROCKET_LOG_LEVEL: "warn",
      SPROCKET_ADMIN_TOKEN: adminToken,
      SPROCKET_EXAMPLES: "hello",
      ...(SCALE_OUT && !options.env?.SPROCKET_DATABASE_URL ? await scaleOutEnv(dataDir) : {}),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));

  let output = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (data: string) => (output += data));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no "listening" line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`sprocket serve did not start: ${why}\n--- output ---\n${output}`));
    };
    child.stdout!.on("data", (data: string) => {
      output += data;
      const match = /Sprocket is listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code, signal) => fail(`it exited (${signal ?? `code ${code}`})`));
  });
  const tokenLine = /Admin API token \(also in .*\): (r8_\S+)/.exec(output);
  assertEqual(tokenLine?.[1], adminToken, "the admin token printed at start");
  await waitFor(async () => (await fetch(`${url}/health`).catch(() => null))?.status === 200, {
    timeoutMs: START_TIMEOUT_MS,
    message: "GET /health never answered 200",
  });

  return {
    url,
    pid: child.pid!,
    token: adminToken,
    dataDir,
    client: clientFor(url, adminToken),
    output: () => output,
    async stop() {
      await killAndWait(child, "SIGTERM");
      return child.exitCode;
    },
    async kill() {
      await killAndWait(child, "SIGKILL");
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) await killAndWait(child, "SIGTERM");
      return startServer({ ...options, dataDir, adminToken });
    },
  };
}

function killAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

function assertEqual(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd: PACKAGE_ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`sprocket ${args.join(" ")} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const lastLine = (text: string) => text.trim().split("\n").at(-1)!.trim();

/**
 * `sprocket push test/fixtures/<fixture> <model>`; resolves with the new version id (the last line
 * the CLI prints). The model is created private if it does not exist.
 */
export async function pushFixture(server: Pick<TestServer, "url" | "token">, fixture: string, model: string, token = server.token): Promise<string> {
  return pushDir(server, path.join(FIXTURES_DIR, fixture), model, token);
}

/** `sprocket push DIR <model>` for any directory; resolves with the version id. */
export async function pushDir(server: Pick<TestServer, "url" | "token">, dir: string, model: string, token = server.token): Promise<string> {
  const id = lastLine(await runCli(["push", dir, model, "--server", server.url], { SPROCKET_API_TOKEN: token }));
  if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`push printed "${id}" as its last line, not a version id`);
  return id;
}

/** `sprocket token create --user <name>` on a data directory; resolves with the token. */
export async function createUserToken(dataDir: string, user: string): Promise<string> {
  // Written where the server keeps its state: its PostgreSQL schema in scale-out mode.
  const token = lastLine(await runCli(["token", "create", "--user", user, "--data", dataDir], SCALE_OUT ? await scaleOutEnv(dataDir) : {}));
  if (!token.startsWith("r8_")) throw new Error(`token create printed "${token}" as its last line`);
  return token;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Says what was awaited, in the error when the deadline passes. */
  message?: string | (() => string);
}

/**
 * Calls `predicate` until it returns something truthy (which it resolves with) or the deadline
 * passes (then it rejects, with the last value or error seen).
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 25, message = "condition" } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      const what = typeof message === "function" ? message() : message;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

type Prediction = Awaited<ReturnType<Replicate["predictions"]["get"]>>;

/** Polls GET /v1/predictions/{id} until `accept` says yes; resolves with that prediction. */
export function waitForPrediction(
  client: Replicate,
  id: string,
  accept: (prediction: Prediction) => boolean = (p) => TERMINAL.has(p.status),
  timeoutMs = 15_000,
): Promise<Prediction> {
  let status = "";
  return waitFor(
    async () => {
      const prediction = await client.predictions.get(id);
      status = prediction.status;
      return accept(prediction) ? prediction : null;
    },
    { timeoutMs, message: () => `prediction ${id} to move on from status "${status}"` },
  );
}

/** fetch against the server's API with a token (or none), returning status, headers and parsed body. */
export async function api(
  url: string,
  route: string,
  init: { method?: string; token?: string | null; body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  const response = await fetch(`${url}${route}`, { method: init.method ?? (init.body === undefined ? "GET" : "POST"), headers, body: init.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

/** The HTTP status of an official-client call that must fail. */
export async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    const response = (error as { response?: Response }).response;
    assert.ok(response, `expected an ApiError with a response, got ${String(error)}`);
    return response.status;
  }
  assert.fail("the call succeeded");
}

/** Whether a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
