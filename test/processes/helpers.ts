// Helpers of the process tests.

/** gen.c's first `n` bytes: xorshift32 from 1, the low byte of each step. */
export function genBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** wc.c's FNV-1a 64 hash, computed here over gen.c's byte sequence. */
export function genDigest(n: number): string {
  let hash = 0xcbf29ce484222325n;
  let lines = 0;
  const M = (1n << 64n) - 1n;
  for (const b of genBytes(n)) {
    if (b === 10) lines++;
    hash = ((hash ^ BigInt(b)) * 0x100000001b3n) & M;
  }
  return `${lines} ${n} ${hash.toString(16).padStart(16, '0')}\n`;
}
