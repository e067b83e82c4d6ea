import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuestMemory } from '../../src/abi/memory.js';
import { StringArray } from '../../src/string-array.js';

// args and environ as args_get/environ_get write them: each string as UTF-8 with its NUL, back to back,
// and a pointer to each. The oracle encodes each string by itself (StringArray encodes the block at once).

const encoder = new TextEncoder();

describe('StringArray', () => {
  it('writes every string, NULs and non-ASCII included, and a pointer to each', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const m = new GuestMemory();
    m.bind(memory);
    const strings = fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('', 'A=1', 'a\0b', '\0', 'ünï=🦀')), { maxLength: 40 });
    fc.assert(
      fc.property(strings, (list) => {
        const want = list.map((s) => [...encoder.encode(s), 0]);
        const a = new StringArray(list);
        expect(a.count).toBe(list.length);
        expect([...a.bytes]).toEqual(want.flat());
        const ptrs = 8, buf = 1024;
        new Uint8Array(memory.buffer).fill(0xaa);
        a.write(m, ptrs, buf);
        const view = new DataView(memory.buffer);
        let at = buf;
        want.forEach((bytes, i) => {
          expect(view.getUint32(ptrs + 4 * i, true)).toBe(at);
          expect([...new Uint8Array(memory.buffer, at, bytes.length)]).toEqual(bytes);
          at += bytes.length;
        });
        expect(new Uint8Array(memory.buffer)[at]).toBe(0xaa);
      }),
    );
  });
});
