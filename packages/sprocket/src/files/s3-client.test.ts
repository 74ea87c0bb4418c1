// s3rver (the tests' S3 server) does not verify signatures, so the signature of a request S3Client
// sends is checked here against a vector made with AWS's own signer (@smithy/signature-v4, what
// @aws-sdk/client-s3 uses) for the same request: fetch is replaced to catch it, the clock is fixed.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { mock, test } from "node:test";
import { S3Client } from "./s3-client.ts";

test("a PUT with a signed digest and metadata is signed exactly as AWS's own signer signs it", async (t) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "sprocket-s3-sign-")), "three");
  writeFileSync(file, "abc");
  const sent: Array<{ url: string; headers: Headers }> = [];
  t.mock.method(globalThis, "fetch", async (url: string, init: RequestInit) => {
    sent.push({ url: String(url), headers: new Headers(init.headers) });
    return new Response(null, { status: 200 });
  });
  mock.timers.enable({ apis: ["Date"], now: Date.parse("2026-12-04T12:00:00Z") });
  t.after(() => mock.timers.reset());
  const client = new S3Client({
    bucket: "my-bucket",
    endpoint: null,
    region: "eu-west-1",
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    prefix: "/pre/",
    forcePathStyle: true,
  });
  await client.putFile("named/Key_1-abc", file, 3, { sha256: "a".repeat(64), contentType: "image/png", meta: { name: "r%C3%A9sum%C3%A9.png" } });
  assert.equal(sent.length, 1);
  assert.equal(sent[0].url, "https://s3.eu-west-1.amazonaws.com/my-bucket/pre/named/Key_1-abc");
  assert.equal(sent[0].headers.get("content-length"), "3");
  assert.equal(
    sent[0].headers.get("authorization"),
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-meta-name, Signature=f98bcd64f6a2640245aa1280135c718fdd4d22af8b4d14db46df84228055678b",
  );
});
