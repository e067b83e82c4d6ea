import { WASM32, type GuestAbi } from './abi/guest-abi.js';
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
  private pointersAbi: GuestAbi = WASM32;

  constructor(readonly strings: readonly string[]) {
    // Plain loops: this runs for every WASI made, and each callback would be one more function to compile.
    const count = strings.length;
    const encoded: Uint8Array[] = new Array(count);
    let size = 0;
    for (let i = 0; i < count; i++) size += (encoded[i] = encoder.encode(strings[i])).length + 1;
    this.count = count;
    this.offsets = new Uint32Array(count);
    this.bytes = new Uint8Array(size);
    for (let i = 0, at = 0; i < count; i++) {
      this.offsets[i] = at;
      this.bytes.set(encoded[i]!, at);
      at += encoded[i]!.length + 1; // the NUL is already 0
    }
  }

  /** Writes the pointer array at `ptrs` and the strings at `buf`; both regions checked first. */
  write(m: GuestMemory, ptrs: number, buf: number, abi: GuestAbi = WASM32): void {
    const P = abi.pointer;
    m.checkAligned(ptrs, this.count * P.SIZE, P.ALIGN);
    m.check(buf, this.bytes.length);
    if (this.pointersFor !== buf || this.pointersAbi !== abi) {
      const pointers = new Uint8Array(this.count * P.SIZE);
      const view = new DataView(pointers.buffer);
      for (let i = 0; i < this.count; i++) abi.writeUsize(view, i * P.SIZE, buf + this.offsets[i]!);
      this.pointers = pointers;
      this.pointersFor = buf;
      this.pointersAbi = abi;
    }
    m.u8.set(this.bytes, buf);
    m.u8.set(this.pointers, ptrs);
  }
}
