import { GUEST_POINTER } from '../generated/preview1/layout.js';
import type { GuestMemory } from './abi/memory.js';

const encoder = new TextEncoder();

/**
 * args or environ, encoded once: every string as UTF-8 with its NUL, back to back, and where each
 * starts. `*_sizes_get` reads the counts; `*_get` copies the block and writes the pointers.
 */
export class StringArray {
  readonly count: number;
  readonly bytes: Uint8Array;
  private readonly offsets: Uint32Array;
  /** The pointer array as little-endian bytes for the last `buf` seen: guests ask with the same one again. */
  private pointers = new Uint8Array(0);
  private pointersFor = -1;

  constructor(strings: readonly string[]) {
    const encoded = strings.map((s) => encoder.encode(s));
    this.count = encoded.length;
    this.offsets = new Uint32Array(encoded.length);
    this.bytes = new Uint8Array(encoded.reduce((n, e) => n + e.length + 1, 0));
    let at = 0;
    encoded.forEach((e, i) => {
      this.offsets[i] = at;
      this.bytes.set(e, at);
      at += e.length + 1; // the NUL is already 0
    });
  }

  /** Writes the pointer array at `ptrs` and the strings at `buf`; both regions checked first. */
  write(m: GuestMemory, ptrs: number, buf: number): void {
    m.checkAligned(ptrs, this.count * GUEST_POINTER.SIZE, GUEST_POINTER.ALIGN);
    m.check(buf, this.bytes.length);
    if (this.pointersFor !== buf) {
      const pointers = new Uint8Array(this.count * GUEST_POINTER.SIZE);
      const view = new DataView(pointers.buffer);
      for (let i = 0; i < this.count; i++) view.setUint32(i * GUEST_POINTER.SIZE, buf + this.offsets[i]!, true);
      this.pointers = pointers;
      this.pointersFor = buf;
    }
    m.u8.set(this.bytes, buf);
    m.u8.set(this.pointers, ptrs);
  }
}
