import assert from "node:assert/strict";
import { test } from "node:test";
import { fileRef, mapStrings, resolveFileRefs } from "./file-refs.ts";

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
