import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileInputNames } from "../predictions/input-fields.ts";
import { isPrivateAddress } from "../lib/private-addresses.ts";
import { fetchUrlInputs } from "./url-inputs.ts";

let server: http.Server;
let base: string;
before(async () => {
  server = http.createServer((request, response) => {
    if (request.url === "/redirect") return response.writeHead(302, { location: "/cat.txt" }).end();
    if (request.url === "/loop") return response.writeHead(302, { location: "/loop" }).end();
    if (request.url === "/big") return response.end("x".repeat(5000));
    if (request.url === "/cat.txt") return response.end("meow");
    if (request.url === "/trickle") {
      const timer = setInterval(() => response.write("x"), 100);
      response.on("close", () => clearInterval(timer));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const allow = { maxBytes: 1000, timeoutMs: 5000, allowPrivate: true };

test("private, loopback, link-local and metadata addresses are recognised; public ones are not", () => {
  for (const address of ["10.1.2.3", "172.20.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "0.0.0.0"]) {
    assert.equal(isPrivateAddress(address), true, address);
  }
  for (const address of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"]) assert.equal(isPrivateAddress(address), false, address);
});

test("file inputs are the schema's format: uri properties, also lists of them", () => {
  const schema = { components: { schemas: { Input: { properties: { a: { format: "uri" }, b: { type: "array", items: { format: "uri" } }, c: { type: "string" } } } } } };
  assert.deepEqual(fileInputNames(schema), ["a", "b"]);
});

test("URL and data: inputs become local files (URLs fetched following redirects), cleaned up after", async () => {
  const { input, cleanup } = await fetchUrlInputs({ a: `${base}/redirect`, b: [`${base}/cat.txt`, "data:,x"], c: "keep" }, ["a", "b"], allow);
  assert.equal(readFileSync(String(input.a), "utf8"), "meow");
  assert.equal(readFileSync(String((input.b as string[])[0]), "utf8"), "meow");
  assert.equal(path.basename((input.b as string[])[1]), "file.txt");
  assert.equal(readFileSync(String((input.b as string[])[1]), "utf8"), "x");
  const named = await fetchUrlInputs({ a: "data:image/png;name=cat%20photo.png;base64,iVBORw0KGgo=" }, ["a"], allow);
  assert.equal(path.basename(String(named.input.a)), "cat photo.png");
  assert.deepEqual([...readFileSync(String(named.input.a))].slice(0, 4), [0x89, 0x50, 0x4e, 0x47]);
  await named.cleanup();
  assert.equal(input.c, "keep");
  await cleanup();
  assert.throws(() => readFileSync(String(input.a)));
});

test("a private address is refused unless allowed; too big, redirect loops and 404s fail clearly", async () => {
  await assert.rejects(fetchUrlInputs({ a: `${base}/cat.txt` }, ["a"], { ...allow, allowPrivate: false }), /private address.*SPROCKET_ALLOW_PRIVATE_URLS/);
  await assert.rejects(fetchUrlInputs({ a: `http://localhost:${new URL(base).port}/cat.txt` }, ["a"], { ...allow, allowPrivate: false }), /private address/);
  await assert.rejects(fetchUrlInputs({ a: `${base}/big` }, ["a"], allow), /over the 1000-byte limit/);
  await assert.rejects(fetchUrlInputs({ a: `${base}/loop` }, ["a"], allow), /redirects/);
  await assert.rejects(fetchUrlInputs({ a: `${base}/missing` }, ["a"], allow), /HTTP 404/);
});

test("a URL with a host name is fetched (the resolver hook answers Node's all-addresses lookups)", async () => {
  const { input, cleanup } = await fetchUrlInputs({ a: `http://localhost:${new URL(base).port}/cat.txt` }, ["a"], allow);
  assert.equal(readFileSync(String(input.a), "utf8"), "meow");
  await cleanup();
});

test("a server that trickles bytes is cut off at the overall deadline, and an abort stops a download", async () => {
  await assert.rejects(fetchUrlInputs({ a: `${base}/trickle` }, ["a"], { ...allow, timeoutMs: 500 }), /longer than 0.5 s/);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 200);
  await assert.rejects(fetchUrlInputs({ a: `${base}/trickle` }, ["a"], { ...allow, timeoutMs: 10_000 }, controller.signal));
});

test("IPv6 forms that embed IPv4 addresses are refused", () => {
  for (const address of ["64:ff9b::7f00:1", "::7f00:1", "2002:7f00:1::1", "198.18.0.1"]) assert.equal(isPrivateAddress(address), true, address);
});

test("uploaded files' URLs (any origin) are copied from the owner's blobs under their uploaded name; a missing one fails the run", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sprocket-uploaded-"));
  const blob = path.join(dir, "blob");
  writeFileSync(blob, "stored bytes");
  const seen: string[] = [];
  const options = {
    ...allow,
    uploadedFile: async (account: string, id: string) => {
      seen.push(`${account}:${id}`);
      return id === "known1" ? { path: blob, name: "photo 1.png" } : null;
    },
  };
  try {
    const url = "https://models.example.com/v1/files/known1";
    const { input, cleanup } = await fetchUrlInputs({ a: url, b: [url] }, ["a", "b"], options, undefined, "ada");
    assert.equal(path.basename(input.a as string), "photo 1.png");
    assert.equal(readFileSync(input.a as string, "utf8"), "stored bytes");
    assert.deepEqual(input.b, [input.a], "the same URL is resolved once");
    writeFileSync(input.a as string, "changed by the model");
    assert.equal(readFileSync(blob, "utf8"), "stored bytes", "the model got a copy, not the stored blob");
    cleanup();
    assert.deepEqual(seen, ["ada:known1"]);
    await assert.rejects(fetchUrlInputs({ a: "http://x/v1/files/gone1" }, ["a"], options, undefined, "ada"), /uploaded file gone1 no longer exists/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
