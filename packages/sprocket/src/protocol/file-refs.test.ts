import assert from "node:assert/strict";
import { test } from "node:test";
import { fileRef, fileRefKeys, mapStrings, resolveFileRefs } from "./file-refs.ts";

test("file references anywhere in an output become URLs; other strings stay", () => {
  const output = { image: fileRef("abc", "out put.png"), list: ["plain", fileRef("def", "a.txt")], n: 1 };
  assert.deepEqual(
    resolveFileRefs(output, (ref) => `https://h/o/${ref}`),
    { image: "https://h/o/abc/out%20put.png", list: ["plain", "https://h/o/def/a.txt"], n: 1 },
  );
});

test("an output without files is handed back as is, not copied", () => {
  const output = { a: ["x", { b: "y" }], c: null };
  assert.equal(mapStrings(output, (s) => s), output);
  assert.equal(resolveFileRefs("hello", () => "nope"), "hello");
});

test("fileRefKeys lists the key of every file reference, nested or not", () => {
  assert.deepEqual(fileRefKeys({ a: fileRef("k1", "x.png"), b: [fileRef("k2", "y/z.txt"), "sprocket-filex"], c: 3 }), ["k1", "k2"]);
  assert.deepEqual(fileRefKeys("plain"), []);
});
