/**
 * Renames imports in a wasm binary: the import section (id 2) is decoded and re-encoded with the new
 * module/field names, every other section copied byte for byte. Names change length, so the
 * section's size is re-encoded too; nothing outside the import section refers to import names.
 */

import { concatBytes } from '../../src/concat-bytes.js';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

class Reader {
  pos: number;
  constructor(
    readonly b: Uint8Array,
    start = 0,
    readonly end = b.length,
  ) {
    this.pos = start;
  }
  byte(): number {
    if (this.pos >= this.end) throw new Error(`wasm: unexpected end at ${this.pos}`);
    return this.b[this.pos++]!;
  }
  /** An unsigned LEB128 (up to 64 bits, as a Number: sizes and counts here are small). */
  uleb(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Error('wasm: LEB128 too long');
  }
  /** Skips a LEB128, returning its raw bytes. */
  rawLeb(): Uint8Array {
    const start = this.pos;
    this.uleb();
    return this.b.subarray(start, this.pos);
  }
  name(): string {
    const len = this.uleb();
    if (this.pos + len > this.end) throw new Error('wasm: name past end');
    const s = dec.decode(this.b.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
}

export interface ImportEntry {
  module: string;
  name: string;
  kind: number;
  /** The import descriptor's bytes, kept as they were. */
  desc: Uint8Array;
}

function readLimits(r: Reader): void {
  const flags = r.byte();
  if (flags & ~0x07) throw new Error(`wasm: unknown limits flags ${flags}`);
  r.uleb();
  if (flags & 1) r.uleb();
}

function readImports(r: Reader): ImportEntry[] {
  const count = r.uleb();
  const out: ImportEntry[] = [];
  for (let i = 0; i < count; i++) {
    const module = r.name();
    const name = r.name();
    const kind = r.byte();
    const start = r.pos;
    switch (kind) {
      case 0x00: // func: typeidx
        r.uleb();
        break;
      case 0x01: {
        // table: reftype, limits
        const t = r.byte();
        if (t !== 0x70 && t !== 0x6f) throw new Error(`wasm: unsupported table reftype ${t}`);
        readLimits(r);
        break;
      }
      case 0x02: // memory: limits
        readLimits(r);
        break;
      case 0x03: {
        // global: valtype, mutability
        const t = r.byte();
        if (![0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f].includes(t)) throw new Error(`wasm: unsupported global type ${t}`);
        r.byte();
        break;
      }
      case 0x04: // tag: attribute, typeidx
        r.byte();
        r.uleb();
        break;
      default:
        throw new Error(`wasm: unknown import kind ${kind}`);
    }
    out.push({ module, name, kind, desc: r.b.slice(start, r.pos) });
  }
  if (r.pos !== r.end) throw new Error('wasm: import section has trailing bytes');
  return out;
}

const nameBytes = (s: string) => {
  const b = enc.encode(s);
  return [...uleb(b.length), ...b];
};

/** The module with each import renamed by `rename` (undefined keeps it). */
export function rewriteImports(wasm: Uint8Array, rename: (module: string, name: string) => readonly [string, string] | undefined): Uint8Array<ArrayBuffer> {
  const header = wasm.subarray(0, 8);
  if (header[0] !== 0 || header[1] !== 0x61 || header[2] !== 0x73 || header[3] !== 0x6d) throw new Error('wasm: bad magic');
  const parts: Uint8Array[] = [header];
  const r = new Reader(wasm, 8);
  let sawImports = false;
  while (r.pos < wasm.length) {
    const sectionStart = r.pos;
    const id = r.byte();
    const size = r.uleb();
    const contentStart = r.pos;
    const end = contentStart + size;
    if (end > wasm.length) throw new Error(`wasm: section ${id} past end`);
    if (id === 2) {
      if (sawImports) throw new Error('wasm: two import sections');
      sawImports = true;
      const entries = readImports(new Reader(wasm, contentStart, end));
      const body: number[] = [...uleb(entries.length)];
      for (const e of entries) {
        const [module, name] = rename(e.module, e.name) ?? [e.module, e.name];
        body.push(...nameBytes(module), ...nameBytes(name), e.kind, ...e.desc);
      }
      parts.push(new Uint8Array([2, ...uleb(body.length), ...body]));
    } else {
      parts.push(wasm.subarray(sectionStart, end));
    }
    r.pos = end;
  }
  return concatBytes(parts);
}

/** The import section's entries, as decoded by the rewriter (for its own tests). */
export function listImports(wasm: Uint8Array): ImportEntry[] {
  const r = new Reader(wasm, 8);
  while (r.pos < wasm.length) {
    const id = r.byte();
    const size = r.uleb();
    if (id === 2) return readImports(new Reader(wasm, r.pos, r.pos + size));
    r.pos += size;
  }
  return [];
}
