import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { AppError } from "../errors/index.ts";
import { loadConfig } from "./load.ts";
import { SETTINGS } from "./schema.ts";

const dir = mkdtempSync(path.join(tmpdir(), "sprocket-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("settings come from defaults, then the config file, then the environment, then flags", () => {
  const file = path.join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ port: 7000, host: "0.0.0.0", logLevel: "debug" }));
  const config = loadConfig({ env: { SPROCKET_CONFIG: file, SPROCKET_PORT: "7001", SPROCKET_HOST: "::1" }, flags: { port: "7002" } });
  assert.equal(config.port, 7002);
  assert.equal(config.host, "::1");
  assert.equal(config.logLevel, "debug");
  assert.equal(config.predictionTimeoutSeconds, 1800);
  assert.ok(Object.isFrozen(config));
});

test("the CLI's token falls back to REPLICATE_API_TOKEN", () => {
  assert.equal(loadConfig({ env: { REPLICATE_API_TOKEN: "r8_x" } }).apiToken, "r8_x");
  assert.equal(loadConfig({ env: { REPLICATE_API_TOKEN: "r8_x", SPROCKET_API_TOKEN: "r8_y" } }).apiToken, "r8_y");
});

test("a bad value stops start-up with a message naming the variable", () => {
  assert.throws(
    () => loadConfig({ env: { SPROCKET_PORT: "eighty" } }),
    (error: unknown) => error instanceof AppError && error.code === "config_invalid" && /SPROCKET_PORT/.test(error.message),
  );
});

test("the README's configuration table lists every environment variable", () => {
  const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
  for (const setting of Object.values(SETTINGS)) assert.match(readme, new RegExp(`\`${setting.env}\``), setting.env);
});
