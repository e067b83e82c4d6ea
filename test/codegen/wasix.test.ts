import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readVersion } from '../../codegen/generate.js';
import { Layout } from '../../codegen/layout.js';
import type { AbiJson, AbiTypeDef } from '../../src/abi/abi-json.js';

// WASIX (`wasix_32v1`): the function count against the WITX text, every layout against the
// `_Static_assert`s of wasix-libc's generated api_wasix.h (numbers in test/fixtures, with their
// commit), 64-bit layouts worked out by hand, and why preview1's shims can serve the namespace.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const WITX = process.env.WITX_DIR ? resolve(process.env.WITX_DIR) : resolve(REPO, '..', 'shared', 'witx');
const abi = (v: string) => JSON.parse(readFileSync(join(REPO, 'generated', v, 'abi.json'), 'utf8')) as AbiJson;
const WX = abi('wasix');
const P1 = abi('preview1');

interface Assert {
  size: number;
  align: number;
  offsets?: Record<string, number>;
}
const ORACLE = JSON.parse(readFileSync(join(REPO, 'test/fixtures/wasix-api-asserts.json'), 'utf8')) as {
  source: { repo: string; path: string; commit: string };
  types: Record<string, Assert>;
  hiddenTypes: Record<string, Assert>;
};

/**
 * Header types our WITX lacks: the header at that commit is newer than wasix-witx 384f76a (it adds
 * `call_dynamic2` and its value types). The WITX wins: they are not part of what we generate.
 */
const HEADER_ONLY = ['wasm_raw_value', 'wasm_raw_value_with_type'];

function ours(def: AbiTypeDef): Assert {
  const offsets = def.kind === 'record' ? Object.fromEntries(def.fields.map((f) => [f.name, f.offset])) : undefined;
  return { size: def.size, align: def.align, ...(offsets ? { offsets } : {}) };
}

describe('wasix: functions', () => {
  it('86 functions in wasix_v1.witx by regex, and as many in abi.json, all in wasix_32v1', () => {
    const text = readFileSync(join(WITX, 'wasix', 'wasix_v1.witx'), 'utf8').replace(/;;[^\n]*/g, '');
    const names = [...text.matchAll(/\(@interface\s+func\s+\(export\s+"([^"]+)"\)/g)].map((m) => m[1]);
    expect(names).toHaveLength(86);
    expect(WX.functions.map((f) => f.name)).toEqual(names);
    expect(new Set(WX.functions.map((f) => f.module))).toEqual(new Set(['wasix_32v1']));
    expect(WX.pointerSize).toBe(4);
  });

  it('no extension shares a name with a preview1 function', () => {
    const p1 = new Set(P1.functions.map((f) => f.name));
    expect(WX.functions.filter((f) => p1.has(f.name))).toEqual([]);
  });
});

describe(`wasix: layouts against api_wasix.h at ${ORACLE.source.commit.slice(0, 7)}`, () => {
  it('the oracle names its source', () => {
    expect(ORACLE.source).toMatchObject({ repo: 'wasix-org/wasix-libc', path: 'libc-bottom-half/headers/public/wasi/api_wasix.h' });
    expect(ORACLE.source.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  const compared = Object.entries({ ...ORACLE.types, ...ORACLE.hiddenTypes }).filter(([n]) => !HEADER_ONLY.includes(n));
  it.each(compared)('%s', (name, asserted) => {
    const def = WX.types[name];
    expect(def, `${name} in abi.json`).toBeDefined();
    const got = ours(def!);
    expect({ size: got.size, align: got.align }).toEqual({ size: asserted.size, align: asserted.align });
    if (asserted.offsets) expect(got.offsets).toEqual(asserted.offsets);
  });

  it('covers every asserted type: only the header-only ones are missing from the WITX', () => {
    const all = [...Object.keys(ORACLE.types), ...Object.keys(ORACLE.hiddenTypes)];
    expect(all.filter((n) => !(n in WX.types))).toEqual(HEADER_ONLY);
    const asserts = compared.reduce((n, [, a]) => n + 2 + Object.keys(a.offsets ?? {}).length, 0);
    expect({ types: compared.length, asserts }).toEqual({ types: 92, asserts: 464 });
  });
});

describe('wasix: wasix_64v1 layouts (pointer size 8), worked out by hand', () => {
  const { doc } = readVersion('wasix', WITX);
  const l64 = new Layout(doc, 8);
  const ref = (name: string) => ({ kind: 'ref', name }) as const;
  const offsets = (name: string) => Object.fromEntries(l64.fields(ref(name)).map((f) => [f.name, f.offset]));

  it('usize and iovec: 8 bytes; buf_len after an 8-byte pointer', () => {
    expect(l64.sizeAlign(ref('pointersize'))).toEqual({ size: 8, align: 8 });
    expect(l64.sizeAlign(ref('iovec'))).toEqual({ size: 16, align: 8 });
    expect(offsets('iovec')).toEqual({ buf: 0, buf_len: 8 });
  });

  it('thread_start: 16 pointer-sized fields, 128 bytes', () => {
    expect(l64.sizeAlign(ref('thread_start'))).toEqual({ size: 128, align: 8 });
    expect(offsets('thread_start')).toMatchObject({ stack: 0, tls_base: 8, reserved9: 104, stack_size: 112, guard_size: 120 });
  });

  it('epoll_data: ptr 0..8, fd 8, data1 12, data2 16; 24 bytes as on wasm32, by coincidence of padding', () => {
    expect(offsets('epoll_data')).toEqual({ ptr: 0, fd: 8, data1: 12, data2: 16 });
    expect(l64.sizeAlign(ref('epoll_data'))).toEqual({ size: 24, align: 8 });
  });

  it('proc_spawn_fd_op: path at 16, path_len 24, dirflags 32, oflags 36, rights 40/48, fdflags 56; 64 bytes', () => {
    expect(offsets('proc_spawn_fd_op')).toEqual({
      cmd: 0, fd: 4, src_fd: 8, path: 16, path_len: 24, dirflags: 32, oflags: 36,
      fs_rights_base: 40, fs_rights_inheriting: 48, fdflags: 56, fdflagsext: 58,
    });
    expect(l64.sizeAlign(ref('proc_spawn_fd_op'))).toEqual({ size: 64, align: 8 });
  });

  it('thread_state: pointer fields double, the s32 fields stay 4 bytes', () => {
    expect(offsets('thread_state')).toMatchObject({ canary: 40, tid: 48, errno_val: 52, cancel: 60, canceldisable: 64, flags: 66, map_base: 72 });
  });
});

describe('wasix: the generated wasix_64v1 (generated/wasix64 and wasix64-preview1)', () => {
  const W64 = abi('wasix64');
  const P64 = abi('wasix64-preview1');
  const fieldOffsets = (a: AbiJson, name: string) => {
    const d = a.types[name];
    return d?.kind === 'record' ? Object.fromEntries(d.fields.map((f) => [f.name, f.offset])) : undefined;
  };

  it('has the layouts worked out by hand above', () => {
    expect(W64.types.iovec).toMatchObject({ size: 16, align: 8 });
    expect(P64.types.ciovec).toMatchObject({ size: 16, align: 8 });
    expect(fieldOffsets(P64, 'ciovec')).toEqual({ buf: 0, buf_len: 8 });
    expect(fieldOffsets(W64, 'epoll_data')).toEqual({ ptr: 0, fd: 8, data1: 12, data2: 16 });
    expect(W64.types.thread_start).toMatchObject({ size: 128, align: 8 });
    expect(W64.types.proc_spawn_fd_op).toMatchObject({ size: 64, align: 8 });
    // `$size` is u32 in the WITX at either pointer size (wasix-libc's __wasi_size_t likewise).
    expect(W64.types.size).toMatchObject({ size: 4, align: 4 });
  });

  it('every function is the wasm32 one with each pointer, string, list and out-pointer as i64', () => {
    for (const [a64, a32] of [[W64, WX], [P64, P1]] as const) {
      expect(a64.functions.length).toBe(a32.functions.length);
      let widened = 0;
      a64.functions.forEach((f, i) => {
        const g = a32.functions[i]!;
        expect([f.module, f.name]).toEqual(['wasix_64v1', g.name]);
        expect(f.core.params.map((p) => p.name), f.name).toEqual(g.core.params.map((p) => p.name));
        f.core.params.forEach((p, j) => {
          const was = g.core.params[j]!.type;
          // Only i32 -> i64 changes; every out-pointer, string and list (pointer and length) is i64.
          expect(p.type === was || (was === 'i32' && p.type === 'i64'), `${f.name}.${p.name}`).toBe(true);
          const witx = f.params.find((q) => q.name === p.param)?.type;
          const pointer = typeof witx === 'object' && Object.keys(witx).some((k) => k.includes('pointer'));
          if (p.role !== 'value' || pointer) expect(p.type, `${f.name}.${p.name}`).toBe('i64');
          if (p.type !== was) widened++;
        });
        expect(f.core.results).toEqual(g.core.results);
      });
      expect(widened).toBeGreaterThan(a64.functions.length);
    }
  });
});

describe('wasix: the types preview1 functions use, in wasix_32v1', () => {
  const members = (d: AbiTypeDef | undefined) => (d?.kind === 'enum' ? d.cases : d?.kind === 'flags' ? d.flags : undefined);

  it('same size and alignment for every preview1 type; hidden enums and flags got preview1 members', () => {
    for (const [name, def] of Object.entries(P1.types)) {
      expect({ name, size: WX.types[name]?.size, align: WX.types[name]?.align }).toEqual({ name, size: def.size, align: def.align });
    }
    for (const name of ['clockid', 'whence', 'advice', 'fdflags', 'fstflags', 'lookupflags', 'oflags', 'eventtype', 'eventrwflags', 'subclockflags', 'roflags', 'sdflags', 'preopentype']) {
      expect(members(WX.types[name]), name).toEqual(members(P1.types[name]));
    }
  });

  it('errno, rights, filetype and riflags extend preview1 by appending; signal inserts stkflt at 16', () => {
    const appended: string[] = [];
    const differ: string[] = [];
    for (const [name, def] of Object.entries(P1.types)) {
      const a = members(def);
      const b = members(WX.types[name]);
      if (!a || !b || a.join() === b.join()) continue;
      (a.every((m, i) => b[i] === m) ? appended : differ).push(name);
    }
    expect(appended.sort()).toEqual(['errno', 'filetype', 'riflags', 'rights']);
    expect(differ).toEqual(['signal']);
    expect(members(WX.types.signal)!.indexOf('stkflt')).toBe(16);
  });
});
