import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { WasiSnapshotPreview1 } from '../../generated/preview1/handlers.js';
import { createWasiSnapshotPreview1Imports } from '../../generated/preview1/imports.js';
import { Errno } from '../../generated/preview1/types.js';
import type { AbiJson } from '../../src/abi/abi-json.js';
import { WasiError, WasiHostError, type ErrnoName } from '../../src/abi/errno-of.js';
import { GuestMemory } from '../../src/abi/memory.js';
import { WASI_API_H, wasiApiHeader } from '../helpers/dependencies.js';

// The generated preview1 import shims, called as a guest would call them (raw i32 / i64 values).
// Errno numbers and type sizes come from the WITX text by regex; fdstat offsets from <wasi/api.h>.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const WITX = process.env.WITX_DIR ? resolve(process.env.WITX_DIR) : resolve(REPO, '..', 'shared', 'witx');
const typenames = readFileSync(join(WITX, 'preview1', 'typenames.witx'), 'utf8').replace(/;;[^\n]*/g, '');
const abi = JSON.parse(readFileSync(join(REPO, 'generated', 'preview1', 'abi.json'), 'utf8')) as AbiJson;

/** `$ids` of an enum or flags typename, in order. */
function members(name: string): string[] {
  const m = new RegExp(`\\(typename \\$${name}\\s([\\s\\S]*?)(?=\\(typename |$)`).exec(typenames);
  if (!m) throw new Error(`no $${name}`);
  return [...m[1]!.replace(/\(@witx [^)]*\)/g, '').matchAll(/\$(\w+)/g)].map((x) => x[1]!);
}
const ERRNO = members('errno');
const errno = (name: string) => {
  const n = ERRNO.indexOf(name);
  if (n < 0) throw new Error(`no errno ${name}`);
  return n;
};
const FAULT = errno('fault');
const INVAL = errno('inval');
const ILSEQ = errno('ilseq');

/** fdstat's size and field offsets from wasi-libc's header: never from abi.json, the code under test. */
function fdstatLayout(): { size: number; offsets: Record<string, number> } {
  const text = wasiApiHeader();
  const asserted = (what: string) => {
    const m = new RegExp(`_Static_assert\\(${what.replace(/[()]/g, '\\$&')} == (\\d+)`).exec(text);
    if (!m) throw new Error(`${WASI_API_H} does not assert ${what}`);
    return Number(m[1]);
  };
  const names = ['fs_filetype', 'fs_flags', 'fs_rights_base', 'fs_rights_inheriting'];
  return {
    size: asserted('sizeof(__wasi_fdstat_t)'),
    offsets: Object.fromEntries(names.map((f) => [f, asserted(`offsetof(__wasi_fdstat_t, ${f})`)])),
  };
}

const PAGE = 65536;
type Call = { name: string; args: unknown[] };

/** A handler that records every call and answers from `impl` (undefined for the rest). */
function fakeHandler(impl: Record<string, (...args: never[]) => unknown>) {
  const calls: Call[] = [];
  const handler = new Proxy(
    {},
    {
      get:
        (_, name: string) =>
        (...args: unknown[]) => {
          calls.push({ name, args });
          const f = impl[name] as ((...a: unknown[]) => unknown) | undefined;
          return f?.(...args);
        },
    },
  ) as WasiSnapshotPreview1;
  return { handler, calls };
}

let wasmMemory: WebAssembly.Memory;
let mem: GuestMemory;
let bytes: () => Uint8Array;
const setup = (impl: Record<string, (...args: never[]) => unknown> = {}) => {
  const { handler, calls } = fakeHandler(impl);
  return { imports: createWasiSnapshotPreview1Imports(handler, mem), calls };
};
const writeBytes = (ptr: number, data: ArrayLike<number>) => bytes().set(data, ptr);
const i32 = (x: number) => x | 0; // how wasm hands an i32 to JS

beforeEach(() => {
  wasmMemory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
  mem = new GuestMemory();
  mem.bind(wasmMemory);
  bytes = () => new Uint8Array(wasmMemory.buffer);
});

describe('out-pointers are checked before the handler runs', () => {
  it('out of bounds -> fault, handler not called', () => {
    const { imports, calls } = setup({
      fd_fdstat_get: () => ({}),
      args_sizes_get: () => [1, 2],
    });
    expect(imports.fd_fdstat_get(3, PAGE - 8)).toBe(FAULT); // 24 bytes do not fit
    expect(imports.fd_fdstat_get(3, i32(0xfffffff8))).toBe(FAULT);
    expect(imports.args_sizes_get(0, PAGE)).toBe(FAULT); // the second out-pointer
    expect(calls).toEqual([]);
  });

  it('misaligned -> inval, handler not called', () => {
    const { imports, calls } = setup({
      clock_time_get: () => 1n,
      fd_fdstat_get: () => ({}),
    });
    expect(imports.clock_time_get(0, 0n, 4)).toBe(INVAL); // timestamp: align 8
    expect(imports.fd_fdstat_get(3, 12)).toBe(INVAL);
    expect(imports.args_sizes_get(2, 8)).toBe(INVAL);
    expect(calls).toEqual([]);
  });
});

describe('arguments', () => {
  it('decodes a string param from (pointer, length)', () => {
    const { imports, calls } = setup();
    const utf8 = new TextEncoder().encode('dir/ünï/🦀');
    writeBytes(1001, utf8);
    expect(imports.path_create_directory(5, 1001, utf8.length)).toBe(0);
    expect(calls).toEqual([{ name: 'path_create_directory', args: [5, 'dir/ünï/🦀'] }]);
  });

  it('a string that is not UTF-8 -> ilseq; out of bounds -> fault', () => {
    const { imports, calls } = setup();
    writeBytes(100, [0x61, 0xff, 0xfe, 0x62]);
    expect(imports.path_create_directory(5, 100, 4)).toBe(ILSEQ);
    writeBytes(200, [0xc3]); // truncated two-byte sequence
    expect(imports.path_unlink_file(5, 200, 1)).toBe(ILSEQ);
    expect(imports.path_create_directory(5, PAGE - 2, 4)).toBe(FAULT);
    expect(calls).toEqual([]);
  });

  it('enum values out of range -> inval', () => {
    const { imports, calls } = setup({
      clock_time_get: () => 7n,
      fd_seek: () => 0n,
    });
    const clocks = members('clockid').length;
    const whences = members('whence').length;
    expect(imports.clock_time_get(clocks, 0n, 8)).toBe(INVAL);
    expect(imports.clock_time_get(-1, 0n, 8)).toBe(INVAL);
    expect(imports.fd_seek(3, 0n, whences, 8)).toBe(INVAL);
    expect(calls).toEqual([]);
    expect(imports.clock_time_get(clocks - 1, 0n, 8)).toBe(0);
    expect(calls).toEqual([{ name: 'clock_time_get', args: [clocks - 1, 0n] }]);
  });

  it('u16 flags with unknown bits -> inval; known bits pass', () => {
    const { imports, calls } = setup();
    const n = members('fdflags').length;
    expect(imports.fd_fdstat_set_flags(3, 1 << n)).toBe(INVAL);
    expect(imports.fd_fdstat_set_flags(3, 0x10000)).toBe(INVAL);
    expect(calls).toEqual([]);
    expect(imports.fd_fdstat_set_flags(3, (1 << n) - 1)).toBe(0);
    expect(calls).toEqual([{ name: 'fd_fdstat_set_flags', args: [3, (1 << n) - 1] }]);
  });

  it('u64 rights with extra bits are masked to the known rights', () => {
    const { imports, calls } = setup();
    const all = (1n << BigInt(members('rights').length)) - 1n;
    expect(imports.fd_fdstat_set_rights(3, -1n, -1n)).toBe(0);
    expect(imports.fd_fdstat_set_rights(3, 1n << 62n, 0b101n)).toBe(0);
    expect(calls).toEqual([
      { name: 'fd_fdstat_set_rights', args: [3, all, all] },
      { name: 'fd_fdstat_set_rights', args: [3, 0n, 0b101n] },
    ]);
  });

  it('u64 values arrive unsigned', () => {
    const { imports, calls } = setup({ clock_time_get: () => 0n });
    expect(imports.clock_time_get(0, -1n, 8)).toBe(0);
    expect(calls[0]!.args).toEqual([0, 2n ** 64n - 1n]);
  });
});

describe('errors from the handler', () => {
  // WasiError carries an errno name, numbered by the calling version's table.
  it("WasiError('badf') -> returns the number of badf", () => {
    const { imports } = setup({
      fd_close: () => {
        throw new WasiError('badf');
      },
      fd_tell: () => {
        throw new WasiError('spipe');
      },
      fd_sync: () => {
        throw new WasiError('access' as ErrnoName); // the ephemeral spelling of preview1's acces (untyped callers)
      },
    });
    expect(imports.fd_close(9)).toBe(errno('badf'));
    expect(imports.fd_tell(9, 8)).toBe(errno('spipe'));
    expect(imports.fd_sync(9)).toBe(errno('acces'));
  });

  it('a WasiError with a name preview1 does not have is a host error', () => {
    const { imports } = setup({
      fd_close: () => {
        throw new WasiError('nosuchthing' as ErrnoName);
      },
    });
    expect(() => imports.fd_close(9)).toThrow(WasiHostError);
  });

  it('a plain Error -> WasiHostError naming the syscall propagates', () => {
    const bug = new Error('handler bug');
    const { imports } = setup({
      fd_sync: () => {
        throw bug;
      },
    });
    let thrown: unknown;
    try {
      imports.fd_sync(3);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(WasiHostError);
    expect(thrown).toMatchObject({
      code: 'ERR_WASI_HOST',
      syscall: 'fd_sync',
      cause: bug,
    });
  });

  it('a noreturn handler that returns is a host error', () => {
    const { imports } = setup();
    expect(() => imports.proc_exit(0)).toThrow(WasiHostError);
    try {
      imports.proc_exit(3);
    } catch (e) {
      expect(e).toMatchObject({ code: 'ERR_WASI_HOST', syscall: 'proc_exit' });
    }
  });
});

describe('results written at the out-pointers', () => {
  it('u32 pairs, u64 and nothing else', () => {
    const { imports } = setup({
      args_sizes_get: () => [3, 0x89abcdef],
      clock_time_get: () => 2n ** 63n + 5n,
    });
    bytes().fill(0xaa);
    expect(imports.args_sizes_get(16, 40)).toBe(0);
    const v = new DataView(wasmMemory.buffer);
    expect(v.getUint32(16, true)).toBe(3);
    expect(v.getUint32(40, true)).toBe(0x89abcdef);
    expect(imports.clock_time_get(1, 0n, 64)).toBe(0);
    expect(v.getBigUint64(64, true)).toBe(2n ** 63n + 5n);
    const touched = new Set([...range(16, 4), ...range(40, 4), ...range(64, 8)]);
    expect(bytes().findIndex((b, i) => !touched.has(i) && b !== 0xaa)).toBe(-1);
  });

  it('fdstat at the offsets of <wasi/api.h>', () => {
    const layout = fdstatLayout();
    const off = layout.offsets;
    const { imports } = setup({
      fd_fdstat_get: () => ({
        fs_filetype: 4,
        fs_flags: 0x11,
        fs_rights_base: 0x1234_5678_9abcn,
        fs_rights_inheriting: 2n ** 64n - 2n,
      }),
    });
    bytes().fill(0xaa);
    expect(imports.fd_fdstat_get(3, 256)).toBe(0);
    const v = new DataView(wasmMemory.buffer);
    expect(v.getUint8(256 + off.fs_filetype!)).toBe(4);
    expect(v.getUint16(256 + off.fs_flags!, true)).toBe(0x11);
    expect(v.getBigUint64(256 + off.fs_rights_base!, true)).toBe(0x1234_5678_9abcn);
    expect(v.getBigUint64(256 + off.fs_rights_inheriting!, true)).toBe(2n ** 64n - 2n);
    expect(bytes()[255]).toBe(0xaa);
    expect(bytes()[256 + layout.size]).toBe(0xaa);
  });

  it('picks up memory growth between calls', () => {
    const { imports, calls } = setup({ fd_tell: () => 42n });
    expect(imports.fd_tell(3, PAGE + 8)).toBe(FAULT);
    expect(calls).toHaveLength(0);
    wasmMemory.grow(1);
    expect(imports.fd_tell(3, PAGE + 8)).toBe(0);
    expect(new DataView(wasmMemory.buffer).getBigUint64(PAGE + 8, true)).toBe(42n);
    expect(imports.fd_tell(3, 2 * PAGE - 8)).toBe(0);
    expect(imports.fd_tell(3, 2 * PAGE)).toBe(FAULT);
  });
});

function range(start: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

describe('property: any arguments give an errno, never a throw, and touch only out-pointer bytes', () => {
  const ERRNOS = new Set<number>(Object.values(Errno));
  const size = (t: string) => abi.types[t]!.size;
  // Mostly near or inside the one page of memory, sometimes anywhere in [0, 2^32).
  const ptr = fc.oneof(fc.integer({ min: 0, max: PAGE + 64 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(i32);
  const len = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(i32);
  const anyI32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  const anyI64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
  const failWith = fc.option(fc.constantFrom(...ERRNO.filter((n) => n !== 'success')), { nil: undefined });

  const answer =
    <T>(value: T, fail: string | undefined) =>
    () => {
      if (fail !== undefined) throw new WasiError(fail as ErrnoName);
      return value;
    };

  /** Calls `fn`, returning its result; checks memory outside `[ptr, ptr + n)` of each `outs` is unchanged. */
  function callAndCompare(seed: number, outs: [number, number][], fn: () => unknown): unknown {
    const u8 = bytes();
    for (let i = 0; i < u8.length; i++) u8[i] = (i * 31 + seed) & 0xff;
    const before = u8.slice();
    const result = fn();
    const after = bytes();
    const allowed = (i: number) => outs.some(([p, n]) => i >= p >>> 0 && i < (p >>> 0) + n);
    for (let i = 0; i < before.length; i++)
      if (after[i] !== before[i] && !allowed(i)) throw new Error(`byte ${i} changed`);
    return result;
  }

  const ok = (r: unknown) => typeof r === 'number' && ERRNOS.has(r);

  it('fd_write / fd_read', () => {
    fc.assert(
      fc.property(
        anyI32,
        ptr,
        len,
        ptr,
        fc.nat(255),
        fc.nat(2 ** 32 - 1),
        failWith,
        (fd, iovs, n, out, seed, nwritten, fail) => {
          for (const name of ['fd_write', 'fd_read'] as const) {
            const { imports } = setup({ [name]: answer(nwritten, fail) });
            const r = callAndCompare(seed, [[out, size('size')]], () => imports[name](fd, iovs, n, out));
            if (!ok(r)) return false;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('args_sizes_get', () => {
    fc.assert(
      fc.property(ptr, ptr, fc.nat(255), fc.nat(1000), fc.nat(100_000), failWith, (a, b, seed, argc, bufSize, fail) => {
        const { imports } = setup({
          args_sizes_get: answer([argc, bufSize], fail),
        });
        const r = callAndCompare(
          seed,
          [
            [a, size('size')],
            [b, size('size')],
          ],
          () => imports.args_sizes_get(a, b),
        );
        if (r === 0) {
          // Written in order, so the second value wins where the two overlap.
          const v = new DataView(wasmMemory.buffer);
          expect(v.getUint32(b >>> 0, true)).toBe(bufSize);
          if (Math.abs((a >>> 0) - (b >>> 0)) >= 4) expect(v.getUint32(a >>> 0, true)).toBe(argc);
        }
        return ok(r);
      }),
      { numRuns: 300 },
    );
  });

  it('path_open', () => {
    fc.assert(
      fc.property(
        fc.record({
          fd: anyI32,
          dirflags: anyI32,
          path: ptr,
          pathLen: len,
          oflags: anyI32,
          base: anyI64,
          inheriting: anyI64,
          fdflags: anyI32,
          out: ptr,
          seed: fc.nat(255),
          newFd: fc.nat(2 ** 31 - 1),
          fail: failWith,
        }),
        (a) => {
          const { imports } = setup({ path_open: answer(a.newFd, a.fail) });
          const r = callAndCompare(a.seed, [[a.out, size('fd')]], () =>
            imports.path_open(a.fd, a.dirflags, a.path, a.pathLen, a.oflags, a.base, a.inheriting, a.fdflags, a.out),
          );
          return ok(r);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('clock_time_get', () => {
    fc.assert(
      fc.property(
        anyI32,
        anyI64,
        ptr,
        fc.nat(255),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        failWith,
        (id, precision, out, seed, now, fail) => {
          const { imports } = setup({ clock_time_get: answer(now, fail) });
          const r = callAndCompare(seed, [[out, size('timestamp')]], () => imports.clock_time_get(id, precision, out));
          // Out-pointer first (alignment, then bounds), then the clock id, then the handler.
          const at = out >>> 0;
          const expected =
            at % 8 !== 0
              ? INVAL
              : at + 8 > PAGE
                ? FAULT
                : id >>> 0 >= members('clockid').length
                  ? INVAL
                  : fail !== undefined
                    ? errno(fail)
                    : 0;
          expect(r).toBe(expected);
          if (r === 0) expect(new DataView(wasmMemory.buffer).getBigUint64(at, true)).toBe(now);
          return ok(r);
        },
      ),
      { numRuns: 300 },
    );
  });
});
