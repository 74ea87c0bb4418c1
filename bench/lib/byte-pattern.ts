// The bytes the files benchmark moves: byte i of a file is (i + shift) % 251, so any stretch of a
// file can be produced or checked from one small buffer (nothing the size of the file is held in
// memory) and files with different shifts have different contents (and digests). The
// bench/models/big-output model writes the same pattern with shift 0.
import { closeSync, openSync, writeSync } from "node:fs";

/** Largest stretch handed out at once. */
export const PATTERN_CHUNK = 1024 * 1024;
const PERIOD = 251;
const pattern = Buffer.alloc(PATTERN_CHUNK + PERIOD);
for (let i = 0; i < pattern.length; i++) pattern[i] = i % PERIOD;

/**
 * Bytes [offset, offset + length) of the pattern (length ≤ PATTERN_CHUNK), as a view of a shared
 * buffer that is never written again: safe to hand to a stream and keep writing.
 */
export function patternSlice(offset: number, length: number): Buffer {
  if (length > PATTERN_CHUNK) throw new Error(`patternSlice: ${length} > ${PATTERN_CHUNK}`);
  const start = offset % PERIOD;
  return pattern.subarray(start, start + length);
}

/** A whole file's bytes in one Buffer (for the official client's files.create, which takes one). */
export function patternBuffer(size: number, shift: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let offset = 0; offset < size; offset += PATTERN_CHUNK) {
    patternSlice(offset + shift, Math.min(PATTERN_CHUNK, size - offset)).copy(bytes, offset);
  }
  return bytes;
}

/** Writes a pattern file 1 MiB at a time with writeSync, as bench/models/big-output does. */
export function writePatternFile(file: string, size: number, shift = 0): void {
  const fd = openSync(file, "w");
  try {
    for (let offset = 0; offset < size; offset += PATTERN_CHUNK) writeSync(fd, patternSlice(offset + shift, Math.min(PATTERN_CHUNK, size - offset)));
  } finally {
    closeSync(fd);
  }
}

/** Checks a stream of bytes against the pattern as they arrive (a memcmp per piece). */
export class PatternCheck {
  received = 0;
  /** Pieces (of at most PATTERN_CHUNK bytes) that differ from the pattern. */
  mismatches = 0;

  constructor(private readonly shift = 0) {}

  feed(chunk: Buffer): void {
    for (let o = 0; o < chunk.length; o += PATTERN_CHUNK) {
      const piece = chunk.subarray(o, o + PATTERN_CHUNK);
      if (!piece.equals(patternSlice(this.received + this.shift, piece.length))) this.mismatches++;
      this.received += piece.length;
    }
  }
}
