import { createHash, randomBytes } from "node:crypto";

// Crockford base32 without i, l, o, u: the alphabet of Replicate's newer prediction ids.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * A 26-character, lowercase, time-ordered id (48 bits of milliseconds, 82 random bits), the same
 * length and alphabet as Replicate's prediction ids. Time order keeps list queries on the primary key.
 */
// Random bytes are taken from a pool: one randomBytes() call per 256 ids instead of one per id.
let pool = Buffer.alloc(0);
let poolOffset = 0;
function random16(): Buffer {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  poolOffset += 16;
  return pool.subarray(poolOffset - 16, poolOffset);
}

export function newId(now = Date.now()): string {
  let out = "";
  let time = now;
  for (let i = 9; i >= 0; i--) {
    out = ALPHABET[time % 32] + out;
    time = Math.floor(time / 32);
  }
  const random = random16();
  for (let i = 0; i < 16; i++) out += ALPHABET[random[i] & 31];
  return out;
}

/** An API token: `r8_` and 40 base62 characters (≈238 bits), like Replicate's. */
export function newToken(): string {
  const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const random = randomBytes(40);
  let out = "r8_";
  for (const byte of random) out += chars[byte % 62];
  return out;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
