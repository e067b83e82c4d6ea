import { GuestError } from './guest-error.js';

const EMPTY = new ArrayBuffer(0);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();
// wasm memory is little-endian; a typed array stores in the host's byte order, which nearly every host shares.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The guest's linear memory as cached views. Views are refreshed only when an access falls outside
 * them: a memory that grew has detached the old buffer (its views read as length 0), so the first
 * access after growth refreshes, and no call pays for asking the memory for its buffer.
 */
export class GuestMemory {
  u8: Uint8Array = new Uint8Array(EMPTY);
  view: DataView = new DataView(EMPTY);
  private u64 = new BigUint64Array(EMPTY);
  private memory: WebAssembly.Memory | undefined;

  bind(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.refresh();
  }

  get bound(): boolean {
    return this.memory !== undefined;
  }

  refresh(): void {
    const buffer = this.memory?.buffer ?? EMPTY;
    if (buffer !== this.u8.buffer || this.u8.byteLength !== buffer.byteLength) {
      this.u8 = new Uint8Array(buffer);
      this.view = new DataView(buffer);
      this.u64 = new BigUint64Array(buffer);
    }
  }

  /** Throws `fault` unless `[ptr, ptr + len)` lies inside memory. `ptr` and `len` are unsigned. */
  check(ptr: number, len: number): void {
    if (ptr + len > this.u8.length) {
      this.refresh();
      if (ptr + len > this.u8.length) {
        throw new GuestError('fault', `[${ptr}, ${ptr + len}) is outside guest memory (${this.u8.length} bytes)`);
      }
    }
  }

  /** An out-pointer or aligned region: `inval` when misaligned, `fault` when out of bounds. */
  checkAligned(ptr: number, size: number, align: number): void {
    if ((ptr & (align - 1)) !== 0) throw new GuestError('inval', `pointer ${ptr} is not aligned to ${align}`);
    this.check(ptr, size);
  }

  /**
   * Stores a u64 at `ptr`, which `checkAligned` has checked (8-aligned, inside memory): a typed-array
   * store costs V8 about half of DataView's `setBigUint64`, and `clock_time_get` is little else.
   */
  setU64(ptr: number, x: bigint): void {
    if (LITTLE_ENDIAN) this.u64[ptr / 8] = x;
    else this.view.setBigUint64(ptr, x, true);
  }

  /** An array of `count` elements of `size` bytes (alignment `align`) at `ptr`. */
  checkArray(ptr: number, count: number, size: number, align: number): void {
    if ((ptr & (align - 1)) !== 0) throw new GuestError('inval', `array pointer ${ptr} is not aligned to ${align}`);
    this.check(ptr, count * size);
  }

  /** Decodes UTF-8 at `[ptr, ptr + len)`: `fault` out of bounds, `ilseq` when not UTF-8. */
  readString(ptr: number, len: number): string {
    this.check(ptr, len);
    // Short ASCII (most path names) without the decoder's call overhead; anything else is decoded.
    if (len <= 64) {
      const u8 = this.u8;
      let s = '';
      let i = ptr;
      for (const end = ptr + len; i < end && u8[i]! < 0x80; i++) s += String.fromCharCode(u8[i]!);
      if (i === ptr + len) return s;
    }
    try {
      return utf8.decode(this.u8.subarray(ptr, ptr + len));
    } catch {
      throw new GuestError('ilseq', `the string at ${ptr} (${len} bytes) is not valid UTF-8`);
    }
  }

  /** A view of guest bytes (no copy); valid until memory grows. */
  bytes(ptr: number, len: number): Uint8Array {
    this.check(ptr, len);
    return this.u8.subarray(ptr, ptr + len);
  }

  /** Writes a string as UTF-8 into `[ptr, ptr + max)`; returns the bytes it needed (may exceed max). */
  writeString(ptr: number, max: number, text: string): number {
    const encoded = utf8Encoder.encode(text);
    const n = Math.min(encoded.length, max);
    this.check(ptr, n);
    this.u8.set(n === encoded.length ? encoded : encoded.subarray(0, n), ptr);
    return encoded.length;
  }
}
