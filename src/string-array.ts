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
    this.count = strings.length;
    this.offsets = new Uint32Array(strings.length);
    // The block in one encode, its starts found after each NUL: one encode per string was most of
    // `new WASI` with a thousand variables (issue 18). Strings that hold a NUL themselves are encoded one by one.
    let bytes: Uint8Array = encoder.encode(strings.length === 0 ? '' : strings.join('\0') + '\0');
    let at = 0;
    for (let i = 0; i < strings.length; i++) {
      this.offsets[i] = at;
      at = bytes.indexOf(0, at) + 1;
    }
    if (at !== bytes.length) bytes = this.encodeEach(strings);
    this.bytes = bytes;
  }

  private encodeEach(strings: readonly string[]): Uint8Array {
    const count = strings.length;
    const encoded: Uint8Array[] = new Array(count);
    let size = 0;
    for (let i = 0; i < count; i++) size += (encoded[i] = encoder.encode(strings[i]!)).length + 1;
    const bytes = new Uint8Array(size);
    for (let i = 0, at = 0; i < count; i++) {
      this.offsets[i] = at;
      bytes.set(encoded[i]!, at);
      at += encoded[i]!.length + 1; // the NUL is already 0
    }
    return bytes;
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

/** `KEY=value` for each variable, as environ holds them (Object.keys: Object.entries is far slower on large or exotic objects such as process.env). */
export function environStrings(env: Readonly<Record<string, string>>): string[] {
  const keys = Object.keys(env);
  const out = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = `${keys[i]!}=${env[keys[i]!]!}`;
  return out;
}
