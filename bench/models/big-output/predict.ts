import { closeSync, mkdtempSync, openSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { definePredictor, Input, Output } from "sprocket";

// Writes `size` bytes to a new file and returns its path. Byte i of the file is i % 251 (the
// benchmark checks every byte it downloads against that), written 1 MiB at a time from one
// buffer, so the instance's memory does not grow with the size. The file is left where it is (in
// the instance's TMPDIR, which the benchmark points into its own temp dir and removes at the end):
// deleting a large file takes milliseconds the benchmark would otherwise count as Sprocket's.
const CHUNK = 1024 * 1024;
const PERIOD = 251;
const pattern = Buffer.alloc(CHUNK + PERIOD);
for (let i = 0; i < pattern.length; i++) pattern[i] = i % PERIOD;

export const Predictor = definePredictor({
  inputs: { size: Input.integer({ default: 0, ge: 0, le: 1024 * 1024 * 1024 }) },
  output: Output.path(),
  async predict({ size }) {
    const dir = mkdtempSync(path.join(tmpdir(), "big-output-"));
    const file = path.join(dir, "out.bin");
    const fd = openSync(file, "w");
    try {
      for (let offset = 0; offset < size; offset += CHUNK) {
        const start = offset % PERIOD;
        writeSync(fd, pattern, start, Math.min(CHUNK, size - offset));
      }
    } finally {
      closeSync(fd);
    }
    return file;
  },
});
