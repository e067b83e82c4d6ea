import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IOVEC, readIovec, writeIovec } from '../../generated/wasix64/layout.js';
import { createWasix64v1Imports } from '../../generated/wasix64/imports.js';
import { Errno } from '../../generated/wasix64/types.js';
import type { Wasix64v1 } from '../../generated/wasix64/handlers.js';
import { GuestMemory } from '../../src/abi/memory.js';

// wasm64 pointers and sizes are numbers to handlers and u64 in memory; the generated writers store them
// as two 32-bit halves, without a BigInt. The oracle is DataView's own setBigUint64 of the same value.

const offset = fc.nat(2 ** 53 - 1);

describe('wasm64 pointers and sizes written as two 32-bit halves', () => {
  it('a record (iovec): the bytes setBigUint64 would write, and nothing beside them', () => {
    fc.assert(
      fc.property(offset, offset, fc.nat(64), (buf, len, at) => {
        const got = new Uint8Array(96).fill(0xaa);
        writeIovec(new DataView(got.buffer), at, { buf, buf_len: len });
        const want = new Uint8Array(96).fill(0xaa);
        const w = new DataView(want.buffer);
        w.setBigUint64(at + IOVEC.buf, BigInt(buf), true);
        w.setBigUint64(at + IOVEC.buf_len, BigInt(len), true);
        expect(got).toEqual(want);
        expect(readIovec(new DataView(got.buffer), at)).toEqual({ buf, buf_len: len });
      }),
    );
  });

  it('an out-pointer (closure_allocate): the value at the pointer; a bad pointer gets fault with nothing written', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const m = new GuestMemory();
    m.bind(memory);
    let next = 0;
    const imports = createWasix64v1Imports({ closure_allocate: () => next } as unknown as Wasix64v1, m);
    const bytes = new Uint8Array(memory.buffer);
    for (const x of [0, 1, 0xffffffff, 2 ** 32, 2 ** 40 + 12345, 2 ** 53 - 1]) {
      next = x;
      bytes.fill(0xaa);
      expect(imports.closure_allocate(16n)).toBe(0);
      expect(new DataView(memory.buffer).getBigUint64(16, true)).toBe(BigInt(x));
      expect(bytes.findIndex((b, i) => (i < 16 || i >= 24) && b !== 0xaa)).toBe(-1);
    }
    bytes.fill(0xaa);
    expect(imports.closure_allocate(65536n)).toBe(Errno.fault);
    expect(bytes.every((b) => b === 0xaa)).toBe(true);
  });
});
