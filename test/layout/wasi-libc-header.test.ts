/**
 * Tests for the <wasi/api.h> parser (test/helpers/wasi-libc-header.ts) on the
 * real header. Expected values are taken from the header text with regexes
 * written independently of the parser's, or from the import section of
 * test/programs/all-imports.wasm (clang's own lowering of the same
 * prototypes), never typed in by hand, except for the pinned counts below.
 *
 * The header comes from Debian's wasi-libc (0.0~git20220510); set
 * WASI_API_H to point elsewhere. Without it these tests fail, naming the package.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WASI_API_H, wasiApiHeader } from '../helpers/dependencies.js';
import { parseWasiLibcHeader, witxTypeName } from '../helpers/wasi-libc-header.js';

const ALL_IMPORTS = fileURLToPath(new URL('../programs/all-imports.wasm', import.meta.url));

/** Lines of the header outside comments (line-based, unlike the parser). */
function codeLines(text: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const raw of text.split('\n')) {
    let line = raw;
    if (inBlock) {
      const end = line.indexOf('*/');
      if (end < 0) continue;
      line = line.slice(end + 2);
      inBlock = false;
    }
    const start = line.indexOf('/*');
    if (start >= 0 && line.indexOf('*/', start) < 0) {
      line = line.slice(0, start);
      inBlock = true;
    }
    out.push(line.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*/, ''));
  }
  return out;
}

/** `_Static_assert(<op>(__wasi_x_t[, field]) == N, ...)` lines, read independently of the parser. */
function assertLines(text: string, op: 'sizeof' | '_Alignof' | 'offsetof') {
  const re = new RegExp(`^_Static_assert\\(${op}\\((__wasi_\\w+_t)(?:, (\\w+))?\\) == (\\d+), "witx calculated \\w+"\\);$`);
  return codeLines(text).flatMap((line) => {
    const m = re.exec(line.trim());
    return m ? [{ type: m[1]!.slice('__wasi_'.length, -'_t'.length), field: m[2], value: Number(m[3]) }] : [];
  });
}

/** Imports of a wasm module with their core signatures, from a minimal binary reader. */
function wasmFuncImports(bytes: Uint8Array): Map<string, { params: string[]; results: string[] }> {
  let pos = 8; // magic + version
  const u32 = (): number => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
    }
  };
  const name = (): string => {
    const len = u32();
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + len));
    pos += len;
    return s;
  };
  // Other types in the module (printf's internals) use f64 too; imports should not.
  const VALTYPES: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };
  const valtype = (): string => {
    const t = bytes[pos++]!;
    const name = VALTYPES[t];
    if (!name) throw new Error(`unexpected value type 0x${t.toString(16)}`);
    return name;
  };
  const limits = (): void => {
    const flags = u32();
    u32();
    if (flags & 1) u32();
  };
  const types: { params: string[]; results: string[] }[] = [];
  const imports = new Map<string, { params: string[]; results: string[] }>();
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        if (bytes[pos++] !== 0x60) throw new Error('expected a func type');
        const params = Array.from({ length: u32() }, valtype);
        const results = Array.from({ length: u32() }, valtype);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        const module = name();
        const field = name();
        const kind = bytes[pos++];
        if (kind === 0) {
          const sig = types[u32()];
          if (!sig) throw new Error(`bad type index for ${module}.${field}`);
          imports.set(`${module}.${field}`, sig);
        } else if (kind === 1) {
          pos++; // reftype
          limits();
        } else if (kind === 2) {
          limits();
        } else if (kind === 3) {
          pos += 2; // valtype + mutability
        } else {
          throw new Error(`unknown import kind ${kind}`);
        }
      }
      return imports;
    }
    pos = end;
  }
  return imports;
}

describe(`parseWasiLibcHeader on ${WASI_API_H}`, () => {
  const text = wasiApiHeader();
  const header = parseWasiLibcHeader(text);
  const { types, functions } = header;

  describe('layout assertions', () => {
    const sizes = assertLines(text, 'sizeof');
    const aligns = assertLines(text, '_Alignof');
    const offsets = assertLines(text, 'offsetof');

    it('has the pinned number of size / align / offset asserts', () => {
      // Counts for Debian's wasi-libc 0.0~git20220510; the other tests hold for any version.
      expect([sizes.length, aligns.length, offsets.length]).toEqual([33, 33, 34]);
      expect(sizes.length).toBe((text.match(/_Static_assert\(sizeof\(__wasi_/g) ?? []).length);
    });

    it('parses exactly the asserted sizes', () => {
      const parsed = [...types].flatMap(([n, t]) => (t.size === undefined ? [] : [[n, t.size] as const]));
      expect(new Map(parsed)).toEqual(new Map(sizes.map((a) => [a.type, a.value])));
    });

    it('parses exactly the asserted alignments', () => {
      const parsed = [...types].flatMap(([n, t]) => (t.align === undefined ? [] : [[n, t.align] as const]));
      expect(new Map(parsed)).toEqual(new Map(aligns.map((a) => [a.type, a.value])));
    });

    it('parses exactly the asserted field offsets', () => {
      const parsed = [...types].flatMap(([n, t]) => [...t.offsets].map(([f, o]) => `${n}.${f}=${o}`));
      expect(parsed.sort()).toEqual(offsets.map((a) => `${a.type}.${a.field}=${a.value}`).sort());
    });

    it('spot check: filestat, taken from the header text', () => {
      const size = /_Static_assert\(sizeof\(__wasi_filestat_t\) == (\d+)/.exec(text)?.[1];
      const align = /_Static_assert\(_Alignof\(__wasi_filestat_t\) == (\d+)/.exec(text)?.[1];
      const nlink = /_Static_assert\(offsetof\(__wasi_filestat_t, nlink\) == (\d+)/.exec(text)?.[1];
      expect(size).toBeDefined();
      const filestat = types.get('filestat');
      expect(filestat?.size).toBe(Number(size));
      expect(filestat?.align).toBe(Number(align));
      expect(filestat?.offsets.get('nlink')).toBe(Number(nlink));
      expect(filestat?.offsets.size).toBe(8);
      expect(filestat?.aliasOf).toBe('struct');
    });

    it('spot check: prestat (a tagged union) and fdstat', () => {
      const prestatSize = /_Static_assert\(sizeof\(__wasi_prestat_t\) == (\d+)/.exec(text)?.[1];
      expect(types.get('prestat')?.size).toBe(Number(prestatSize));
      expect(types.get('prestat')?.members).toEqual([
        { name: 'tag', cType: 'uint8_t' },
        { name: 'u', cType: '__wasi_prestat_u_t' },
      ]);
      const fsFlags = /_Static_assert\(offsetof\(__wasi_fdstat_t, fs_flags\) == (\d+)/.exec(text)?.[1];
      expect(types.get('fdstat')?.offsets.get('fs_flags')).toBe(Number(fsFlags));
    });

    it('struct members are in offset order', () => {
      for (const [name, t] of types) {
        if (t.aliasOf !== 'struct' || t.offsets.size === 0) continue;
        const byOffset = [...t.offsets].sort((a, b) => a[1] - b[1]).map(([f]) => f);
        expect(t.members?.map((m) => m.name), name).toEqual(byOffset);
      }
    });

    it('keys every __wasi_*_t typedef by its witx name, with the aliased type', () => {
      const typedefNames = codeLines(text).flatMap((line) => {
        const m = /^typedef (?:struct |union )?[\w ]*?\b(__wasi_\w+_t)\b/.exec(line) ?? /^\} (__wasi_\w+_t);$/.exec(line);
        return m ? [witxTypeName(m[1]!)] : [];
      });
      expect(new Set(types.keys())).toEqual(new Set(typedefNames));
      const rightsTypedef = /^typedef (\w+) __wasi_rights_t;$/m.exec(text)?.[1];
      expect(types.get('rights')?.aliasOf).toBe(rightsTypedef);
    });

    it('resolves sizes of unasserted scalar typedefs through the chain', () => {
      // The header asserts no size for flags types such as rights.
      expect(types.get('rights')?.size).toBeUndefined();
      expect(types.get('rights')?.resolvedSize).toBe(8);
      expect(types.get('fdflags')?.resolvedSize).toBe(2);
      expect(types.get('filesize')?.resolvedSize).toBe(types.get('filesize')?.size);
      expect(types.get('prestat_u')?.resolvedSize).toBeUndefined();
    });
  });

  describe('functions', () => {
    it('has 45 preview1 functions, counted two other ways', () => {
      const warnUnused = (text.match(/\) __attribute__\(\(__warn_unused_result__\)\);/g) ?? []).length;
      const noreturn = (text.match(/^_Noreturn void __wasi_\w+\(/gm) ?? []).length;
      expect(functions.size).toBe(45);
      expect(warnUnused + noreturn).toBe(45);
      expect([warnUnused, noreturn]).toEqual([44, 1]);
      const names = [...text.matchAll(/^(?:__wasi_errno_t|_Noreturn void) __wasi_(\w+)\($/gm)].map((m) => m[1]);
      expect([...functions.keys()].sort()).toEqual(names.sort());
    });

    it('this wasi-libc dropped proc_raise but has sock_accept', () => {
      expect(functions.has('proc_raise')).toBe(false);
      expect(functions.has('sock_accept')).toBe(true);
    });

    it('parses the C prototypes', () => {
      expect(functions.get('fd_read')).toEqual({
        params: [
          { name: 'fd', cType: '__wasi_fd_t' },
          { name: 'iovs', cType: 'const __wasi_iovec_t *' },
          { name: 'iovs_len', cType: 'size_t' },
          { name: 'retptr0', cType: '__wasi_size_t *' },
        ],
        returns: '__wasi_errno_t',
        coreParams: ['i32', 'i32', 'i32', 'i32'],
        coreResults: ['i32'],
      });
      expect(functions.get('args_get')?.params.map((p) => p.cType)).toEqual(['uint8_t **', 'uint8_t *']);
      expect(functions.get('proc_exit')).toMatchObject({ returns: 'noreturn', coreParams: ['i32'], coreResults: [] });
      expect(functions.get('sched_yield')).toMatchObject({ params: [], coreParams: [], coreResults: ['i32'] });
    });

    it('expands each `const char *` string into (pointer, length)', () => {
      const pathOpen = functions.get('path_open');
      expect(pathOpen?.params.filter((p) => p.cType === 'const char *').map((p) => p.name)).toEqual(['path']);
      expect(pathOpen?.coreParams).toEqual(['i32', 'i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32', 'i32']);
      for (const [name, f] of functions) {
        const strings = f.params.filter((p) => p.cType === 'const char *').length;
        expect(f.coreParams.length, name).toBe(f.params.length + strings);
      }
    });

    it('matches the core signatures clang produced in all-imports.wasm', () => {
      const imports = wasmFuncImports(readFileSync(ALL_IMPORTS));
      expect(imports.size).toBe(functions.size);
      for (const [name, f] of functions) {
        const imported = imports.get(`wasi_snapshot_preview1.${name}`);
        expect(imported, name).toBeDefined();
        expect({ params: f.coreParams, results: f.coreResults }, name).toEqual(imported);
      }
      // i64 parameters come from 8-byte typedefs, several of which (rights) have no size assert.
      expect(functions.get('fd_fdstat_set_rights')?.coreParams).toEqual(['i32', 'i64', 'i64']);
    });
  });
});

describe('parseWasiLibcHeader on synthetic input', () => {
  const prelude = `
    typedef uint16_t __wasi_errno_t;
    _Static_assert(sizeof(__wasi_errno_t) == 2, "witx calculated size");
    typedef int __wasi_fd_t;
    _Static_assert(sizeof(__wasi_fd_t) == 4, "witx calculated size");
    typedef uint64_t __wasi_big_t;
    typedef __wasi_big_t __wasi_bigger_t;
  `;

  it('ignores declarations inside comments', () => {
    const h = parseWasiLibcHeader(
      `${prelude}
      /* __wasi_errno_t __wasi_hidden(__wasi_fd_t fd) __attribute__((__warn_unused_result__)); */
      // __wasi_errno_t __wasi_also_hidden(void);
      __wasi_errno_t __wasi_seen(
          /** The descriptor. */
          __wasi_fd_t fd
      ) __attribute__((__warn_unused_result__));`,
    );
    expect([...h.functions.keys()]).toEqual(['seen']);
  });

  it('follows typedef chains to an 8-byte builtin', () => {
    const h = parseWasiLibcHeader(
      `${prelude} __wasi_errno_t __wasi_f(__wasi_bigger_t x, const char *s) __attribute__((__warn_unused_result__));`,
    );
    expect(h.functions.get('f')?.coreParams).toEqual(['i64', 'i32', 'i32']);
    expect(h.types.get('bigger')).toMatchObject({ aliasOf: '__wasi_big_t', resolvedSize: 8 });
  });

  it('throws on a __wasi_ declaration it cannot parse', () => {
    expect(() => parseWasiLibcHeader(`${prelude} int __wasi_odd(void);`)).toThrow(/unparsed __wasi_ declarations: odd/);
  });

  it('throws on unknown parameter types and conflicting asserts', () => {
    expect(() =>
      parseWasiLibcHeader(`${prelude} __wasi_errno_t __wasi_f(__wasi_nope_t x) __attribute__((__warn_unused_result__));`),
    ).toThrow(/unknown C type __wasi_nope_t/);
    expect(() =>
      parseWasiLibcHeader(`${prelude} _Static_assert(sizeof(__wasi_fd_t) == 8, "witx calculated size");`),
    ).toThrow(/conflicting sizeof\(__wasi_fd_t\)/);
  });
});
