// The Files API (replicate-api.md §8) with the official client and raw multipart, and uploaded
// files used as prediction inputs: resolved inside the server, owner-checked, and handed to the
// model as a local file under its uploaded name.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  api,
  clientFor,
  createUserToken,
  PACKAGE_ROOT,
  pushDir,
  pushFixture,
  startServer,
  statusOf,
  waitForPrediction,
  type TestServer,
} from "./harness.ts";

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
const md5 = (data: string | Uint8Array) => createHash("md5").update(data).digest("hex");

interface Described {
  name: string;
  size: number;
  sha256: string;
  text: string;
}

/** POST /v1/files with a hand-built form, as the Python clients send it. */
async function upload(server: Pick<TestServer, "url">, token: string | null, form: FormData) {
  const response = await fetch(`${server.url}/v1/files`, { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {}, body: form });
  return { status: response.status, body: (await response.json()) as any };
}

describe("Files API", () => {
  let server: TestServer;
  let bobToken: string;

  before(async () => {
    server = await startServer();
    // Public, so another account can try to run it with someone else's file.
    await server.client.models.create("admin", "file-info", { visibility: "public", hardware: "cpu" });
    await pushFixture(server, "file-info", "admin/file-info");
    bobToken = await createUserToken(server.dataDir, "bob");
  });
  after(() => server?.stop());

  test("files.create returns Replicate's file object, and its urls.get as an input reaches the model as a local file with the uploaded name", async () => {
    const replicate = server.client;
    const bytes = Buffer.from("hello, uploaded world\n");
    const before = Date.now();
    const file = (await replicate.files.create(bytes, { customer_reference_id: "123", n: 1 })) as any;
    assert.match(file.id, /^[0-9a-z]{26}$/);
    assert.match(file.name, /^buffer_\d+$/);
    assert.equal(file.content_type, "application/octet-stream");
    assert.equal(file.size, bytes.length);
    assert.equal(file.etag, md5(bytes));
    assert.deepEqual(file.checksums, { sha256: sha256(bytes), md5: md5(bytes) });
    assert.deepEqual(file.metadata, { customer_reference_id: "123", n: 1 });
    const created = Date.parse(file.created_at);
    assert.ok(created >= before - 1000 && created <= Date.now() + 1000);
    assert.equal(Date.parse(file.expires_at) - created, 24 * 3600 * 1000);
    assert.equal(file.urls.get, `${server.url}/v1/files/${file.id}`);
    assert.deepEqual(await replicate.files.get(file.id), file);

    const prediction = await replicate.predictions.create({ model: "admin/file-info", input: { file: file.urls.get } });
    const done = await waitForPrediction(replicate, prediction.id);
    assert.equal(done.status, "succeeded", String(done.error));
    const output = done.output as { file: Described };
    assert.deepEqual(output.file, { name: file.name, size: bytes.length, sha256: sha256(bytes), text: bytes.toString() });
    assert.equal((done.input as { file: string }).file, file.urls.get, "the stored input keeps the URL the client sent");
  });

  test("a Buffer or a named File passed straight to run() is uploaded by the client and reaches the model intact", async () => {
    const replicate = server.client;
    const output = (await replicate.run("admin/file-info", {
      input: { file: Buffer.from("from a buffer"), more: [new File(["# notes"], "notes.md", { type: "text/markdown" })] },
    })) as { file: Described; more: Described[] };
    assert.equal(output.file.text, "from a buffer");
    assert.equal(output.file.sha256, sha256("from a buffer"));
    assert.deepEqual(output.more.map((f) => [f.name, f.text]), [["notes.md", "# notes"]]);
    const [latest] = (await replicate.predictions.list()).results;
    const input = latest.input as { file: string; more: string[] };
    assert.match(input.file, new RegExp(`^${server.url}/v1/files/[0-9a-z]{26}$`));
    const uploaded = (await replicate.files.get(input.more[0].split("/").pop()!)) as any;
    assert.equal(uploaded.name, "notes.md");
    assert.equal(uploaded.content_type, "text/markdown");
  });

  test("a data: URI input (what Python's base64 strategy sends) reaches the model as a file; a broken one is a 422", async () => {
    const good = await api(server.url, "/v1/models/admin/file-info/predictions", {
      token: server.token,
      body: JSON.stringify({ input: { file: `data:text/plain;base64,${Buffer.from("inline bytes").toString("base64")}` } }),
      headers: { prefer: "wait" },
    });
    assert.equal(good.status, 201);
    assert.equal(good.body.status, "succeeded", good.body.error);
    assert.equal(good.body.output.file.text, "inline bytes");
    assert.equal(good.body.output.file.sha256, sha256("inline bytes"));
    const bad = await api(server.url, "/v1/models/admin/file-info/predictions", {
      token: server.token,
      body: JSON.stringify({ input: { file: "data:text/plain;base64,not base64!" } }),
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.invalid_fields[0].field, "input.file");
  });

  test("files are listed newest first; DELETE answers 204, then the file is gone (404) and can no longer be used as an input", async () => {
    const replicate = server.client;
    const first = (await replicate.files.create(Buffer.from("one"))) as any;
    const second = (await replicate.files.create(Buffer.from("two"))) as any;
    const listed = (await replicate.files.list()) as any;
    assert.deepEqual(listed.results.slice(0, 2).map((f: { id: string }) => f.id), [second.id, first.id]);
    assert.equal(listed.previous, null);

    assert.equal(await replicate.files.delete(first.id), true, "the client reads a 204 as true");
    assert.equal(await statusOf(replicate.files.get(first.id)), 404);
    assert.equal(await statusOf(replicate.files.delete(first.id)), 404);
    assert.equal((await api(server.url, `/v1/files/${first.id}`, { token: server.token })).body.detail, "File not found");
    const refused = await api(server.url, "/v1/models/admin/file-info/predictions", { token: server.token, body: JSON.stringify({ input: { file: first.urls.get } }) });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.invalid_fields[0].field, "file");
  });

  test("metadata arrives in all three encodings the clients use, and filename/type fields win over the part's headers", async () => {
    // Python 1.x: a plain text field holding JSON.
    const py1 = new FormData();
    py1.append("content", new Blob(["py1"], { type: "text/plain" }), "report.txt");
    py1.append("metadata", JSON.stringify({ source: "py1", nested: { ok: true } }));
    const one = await upload(server, server.token, py1);
    assert.equal(one.status, 201, JSON.stringify(one.body));
    assert.deepEqual([one.body.name, one.body.content_type, one.body.metadata], ["report.txt", "text/plain", { source: "py1", nested: { ok: true } }]);

    // Python 2.x (Stainless): one field per key, and separate filename and type fields.
    const py2 = new FormData();
    py2.append("content", new Blob(["py2"]), "upload.bin");
    py2.append("metadata[customer]", "42");
    py2.append("metadata[tags][]", "a");
    py2.append("metadata[tags][]", "b");
    py2.append("metadata[deep][key]", "v");
    py2.append("filename", "données.csv");
    py2.append("type", "text/csv");
    const two = await upload(server, server.token, py2);
    assert.equal(two.status, 201, JSON.stringify(two.body));
    assert.deepEqual(two.body.metadata, { customer: "42", tags: ["a", "b"], deep: { key: "v" } });
    assert.deepEqual([two.body.name, two.body.content_type, two.body.size], ["données.csv", "text/csv", 3]);

    // No metadata at all (Python 1.x leaves it out when empty).
    const bare = new FormData();
    bare.append("content", new Blob(["x"]), "x.bin");
    assert.deepEqual((await upload(server, server.token, bare)).body.metadata, {});

    const bad = new FormData();
    bad.append("content", new Blob(["x"]), "x.bin");
    bad.append("metadata", "[1, 2]");
    const refused = await upload(server, server.token, bad);
    assert.equal(refused.status, 422);
    assert.equal(refused.body.invalid_fields[0].field, "metadata");

    const empty = new FormData();
    empty.append("metadata", "{}");
    const missing = await upload(server, server.token, empty);
    assert.equal(missing.status, 422);
    assert.equal(missing.body.invalid_fields[0].field, "content");

    assert.equal((await upload(server, null, bare)).status, 401);
    const json = await api(server.url, "/v1/files", { token: server.token, body: JSON.stringify({ content: "x" }) });
    assert.equal(json.status, 415);
  });

  test("another account's file is a 404 to read or delete, and a 422 naming the input when used in a prediction", async () => {
    const mine = (await server.client.files.create(Buffer.from("admin's secret"))) as any;
    const bob = clientFor(server.url, bobToken);
    assert.equal(await statusOf(bob.files.get(mine.id)), 404);
    assert.equal(await statusOf(bob.files.delete(mine.id)), 404);
    assert.equal(((await bob.files.list()) as any).results.length, 0);

    const refused = await api(server.url, "/v1/models/admin/file-info/predictions", {
      token: bobToken,
      body: JSON.stringify({ input: { file: mine.urls.get, more: [`http://another-host.example/v1/files/${"z".repeat(26)}`] } }),
    });
    assert.equal(refused.status, 422);
    assert.deepEqual(refused.body.invalid_fields.map((f: { field: string }) => f.field), ["file", "more"]);
    assert.match(refused.body.detail, new RegExp(`file: file ${mine.id} does not exist or is not yours`));

    // Bob's own upload works for him (through any origin the URL names).
    const his = (await bob.files.create(Buffer.from("bob's"))) as any;
    const viaOtherHost = his.urls.get.replace(server.url, "https://models.example.com");
    const output = (await bob.run("admin/file-info", { input: { file: viaOtherHost } })) as { file: Described };
    assert.equal(output.file.text, "bob's");
    assert.equal(await statusOf(server.client.files.get(his.id)), 404, "and admin cannot see bob's file either");
  });

  test("the signed download URL serves the bytes without a token (and with one), and refuses a bad or tampered signature", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    const file = (await server.client.files.create(new File([bytes], "raw.bin", { type: "application/x-raw" }))) as any;
    const url = new URL(file.urls.download);
    assert.equal(url.pathname, `/v1/files/${file.id}/download`);
    assert.equal(url.searchParams.get("owner"), "admin");
    assert.equal(Number(url.searchParams.get("expiry")), Math.floor(Date.parse(file.expires_at) / 1000));

    const plain = await fetch(url);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get("content-type"), "application/octet-stream");
    assert.deepEqual(Buffer.from(await plain.arrayBuffer()), bytes);
    const withToken = await fetch(url, { headers: { authorization: `Bearer ${server.token}` } });
    assert.equal(withToken.status, 200);
    await withToken.arrayBuffer();

    const badSignature = new URL(url);
    badSignature.searchParams.set("signature", Buffer.alloc(32).toString("base64"));
    assert.equal((await fetch(badSignature)).status, 403);
    const otherOwner = new URL(url);
    otherOwner.searchParams.set("owner", "bob");
    assert.equal((await fetch(otherOwner)).status, 403);
    const expired = new URL(url);
    expired.searchParams.set("expiry", "1");
    assert.equal((await fetch(expired)).status, 403);
    const unsigned = new URL(url);
    unsigned.search = "";
    assert.equal((await fetch(unsigned)).status, 403);
  });

  test("a Python model's Path input given as an uploaded file's URL gets the file under its name", async () => {
    await pushDir(server, path.join(PACKAGE_ROOT, "python", "tests", "fixtures", "files"), "admin/py-files");
    const file = (await server.client.files.create(new File(["# uploaded"], "notes.md"))) as any;
    const prediction = await server.client.predictions.create({ model: "admin/py-files", input: { doc: file.urls.get } });
    const done = await waitForPrediction(server.client, prediction.id, undefined, 30_000);
    assert.equal(done.status, "succeeded", String(done.error));
    const output = done.output as { file: string };
    assert.equal(await (await fetch(output.file)).text(), ".md # uploaded");
  });
});

describe("Files API size limit", () => {
  let server: TestServer;

  before(async () => {
    server = await startServer({ env: { SPROCKET_FILE_LIMIT: "1000", SPROCKET_EXAMPLES: "false" } });
  });
  after(() => server?.stop());

  test("a file over SPROCKET_FILE_LIMIT is a 413 naming the limit; one at the limit is stored", async () => {
    const atLimit = await server.client.files.create(Buffer.alloc(1000, 1));
    assert.equal((atLimit as any).size, 1000);

    const form = new FormData();
    form.append("content", new Blob([Buffer.alloc(1001, 1)]), "big.bin");
    const over = await upload(server, server.token, form);
    assert.equal(over.status, 413);
    assert.match(over.body.detail, /1000 bytes.*SPROCKET_FILE_LIMIT/);
    // Over the limit but not by its declared length alone: refused while streaming.
    const streamed = new FormData();
    streamed.append("content", new Blob([Buffer.alloc(1536 * 1024, 1)]), "bigger.bin");
    assert.equal((await upload(server, server.token, streamed)).status, 413);
    assert.equal(await statusOf(server.client.files.create(Buffer.alloc(5 * 1024 * 1024, 1))), 413, "declared far over the limit");

    // Nothing of the refused uploads was kept: no file, no partial bytes.
    assert.deepEqual(((await server.client.files.list()) as any).results.map((f: { size: number }) => f.size), [1000]);
    assert.deepEqual(readdirSync(path.join(server.dataDir, "blobs", "incoming")), []);
  });
});
