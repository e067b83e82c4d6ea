/**
 * A parser for wasi-libc's `<wasi/api.h>` (the WASI preview1 C header), used
 * as an independent oracle for the ABI we generate from WITX: the header's
 * `_Static_assert`s state every type's size, alignment and field offsets, and
 * its prototypes give every function's parameters.
 *
 * It handles the shape of the header as shipped by wasi-libc (Debian's
 * 0.0~git20220510 in /usr/include/wasm32-wasi/wasi/api.h), not arbitrary C:
 *   - `typedef <type> __wasi_x_t;` and `typedef struct|union __wasi_x_t {...} __wasi_x_t;`
 *   - `_Static_assert(sizeof(__wasi_x_t) == N, ...)`, `_Alignof(...)`, `offsetof(__wasi_x_t, f)`
 *   - `__wasi_errno_t __wasi_f(<params>) __attribute__((__warn_unused_result__));`
 *     and `_Noreturn void __wasi_f(<params>);`
 * Anything that looks like a `__wasi_` function declaration but does not fit
 * those shapes makes the parser throw, rather than being skipped silently.
 */

export type CoreType = 'i32' | 'i64';

export interface HeaderType {
  /** From `_Static_assert(sizeof(__wasi_x_t) == N, ...)`, if the header has one. */
  size?: number;
  /** From `_Static_assert(_Alignof(__wasi_x_t) == N, ...)`, if the header has one. */
  align?: number;
  /**
   * `size` if asserted, else the size of the builtin the typedef chain ends in
   * (the header asserts no size for flags types such as `rights` = uint64_t).
   * Undefined for the unasserted unions (`subscription_u_u`, `prestat_u`).
   */
  resolvedSize?: number;
  /** Field name → offset, from `_Static_assert(offsetof(__wasi_x_t, field) == N, ...)`. */
  offsets: Map<string, number>;
  /** What the typedef names: a C type such as `uint64_t`, or `struct` / `union`. */
  aliasOf: string;
  /** Members in declaration order, for `struct` / `union` typedefs. */
  members?: HeaderParam[];
}

export interface HeaderParam {
  name: string;
  /** Normalised C type: single spaces, stars joined, e.g. `const __wasi_iovec_t *`, `uint8_t **`. */
  cType: string;
}

export interface HeaderFunction {
  /** The C prototype's parameters, in order (out-pointers are named `retptr0`, `retptr1`, ...). */
  params: HeaderParam[];
  /** The C return type, e.g. `__wasi_errno_t`, or `noreturn` for `_Noreturn void`. */
  returns: string;
  /** Parameters of the raw wasm import `wasi_snapshot_preview1.<name>`. */
  coreParams: CoreType[];
  /** Results of the raw wasm import. */
  coreResults: CoreType[];
}

export interface WasiLibcHeader {
  /** Keyed by WITX name: `__wasi_filestat_t` → `filestat`. Every `__wasi_*_t` typedef is present. */
  types: Map<string, HeaderType>;
  /** Keyed by WITX name: `__wasi_fd_read` → `fd_read`. */
  functions: Map<string, HeaderFunction>;
}

/** Sizes of the plain C types the header's typedefs bottom out in (wasm32). */
const BUILTIN_SIZES: ReadonlyMap<string, number> = new Map([
  ['int8_t', 1],
  ['uint8_t', 1],
  ['int16_t', 2],
  ['uint16_t', 2],
  ['int32_t', 4],
  ['uint32_t', 4],
  ['int', 4],
  ['int64_t', 8],
  ['uint64_t', 8],
  ['size_t', 4],
  ['__SIZE_TYPE__', 4],
]);

const WASI_TYPE = /^__wasi_(\w+)_t$/;

/** `__wasi_filestat_t` → `filestat`; throws for names outside the `__wasi_*_t` scheme. */
export function witxTypeName(cName: string): string {
  const m = WASI_TYPE.exec(cName);
  if (!m?.[1]) throw new Error(`not a __wasi_*_t type name: ${cName}`);
  return m[1];
}

/** Removes block and line comments (the header has no comment markers inside strings). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

/** `uint8_t * * argv` → `{ name: 'argv', cType: 'uint8_t **' }`. */
function parseDeclaration(decl: string): HeaderParam {
  const m = /^([\w\s*]*?)\s*\b(\w+)$/.exec(decl.replace(/\s+/g, ' ').trim());
  if (!m?.[1] || !m[2]) throw new Error(`cannot parse declaration: ${JSON.stringify(decl)}`);
  return { name: m[2], cType: normaliseType(m[1]) };
}

function normaliseType(t: string): string {
  const stars = (t.match(/\*/g) ?? []).length;
  const base = t.replace(/\*/g, ' ').replace(/\s+/g, ' ').trim();
  if (!base) throw new Error(`empty type in ${JSON.stringify(t)}`);
  return stars ? `${base} ${'*'.repeat(stars)}` : base;
}

export function parseWasiLibcHeader(text: string): WasiLibcHeader {
  const src = stripComments(text);
  const types = new Map<string, HeaderType>();
  const typeEntry = (cName: string): HeaderType => {
    const key = witxTypeName(cName);
    let t = types.get(key);
    if (!t) {
      t = { offsets: new Map(), aliasOf: '' };
      types.set(key, t);
    }
    return t;
  };
  const setOnce = (what: string, old: number | undefined, value: number): number => {
    if (old !== undefined && old !== value) throw new Error(`conflicting ${what}: ${old} vs ${value}`);
    return value;
  };

  // typedefs: C name → aliased C type ("struct"/"union" for aggregates).
  const typedefs = new Map<string, string>();
  for (const m of src.matchAll(/\btypedef\s+(struct|union)\s+(\w+)\s*\{([^{}]*)\}\s*(\w+)\s*;/g)) {
    const [, kind, tag, body, name] = m as unknown as [string, string, string, string, string];
    if (tag !== name) throw new Error(`typedef ${kind} ${tag} {...} ${name}: tag and name differ`);
    typedefs.set(name, kind);
    if (WASI_TYPE.test(name)) {
      const t = typeEntry(name);
      t.aliasOf = kind;
      t.members = body
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(parseDeclaration);
    }
  }
  for (const m of src.matchAll(/\btypedef\s+([\w\s]+?)\s+(\w+)\s*;/g)) {
    const [, aliased, name] = m as unknown as [string, string, string];
    const target = aliased.replace(/\s+/g, ' ');
    typedefs.set(name, target);
    if (WASI_TYPE.test(name)) typeEntry(name).aliasOf = target;
  }

  // Layout assertions on __wasi_ types (the header also asserts int8_t etc.; those are skipped).
  for (const m of src.matchAll(/_Static_assert\(\s*(sizeof|_Alignof)\(\s*(\w+)\s*\)\s*==\s*(\d+)\s*,/g)) {
    const [, op, cName, n] = m as unknown as [string, string, string, string];
    if (!WASI_TYPE.test(cName)) continue;
    const t = typeEntry(cName);
    if (op === 'sizeof') t.size = setOnce(`sizeof(${cName})`, t.size, Number(n));
    else t.align = setOnce(`_Alignof(${cName})`, t.align, Number(n));
  }
  for (const m of src.matchAll(/_Static_assert\(\s*offsetof\(\s*(\w+)\s*,\s*([\w.]+)\s*\)\s*==\s*(\d+)\s*,/g)) {
    const [, cName, field, n] = m as unknown as [string, string, string, string];
    const t = typeEntry(cName);
    t.offsets.set(field, setOnce(`offsetof(${cName}, ${field})`, t.offsets.get(field), Number(n)));
  }

  /** Byte size of a by-value C type: the asserted size, following typedefs down to a builtin. */
  const sizeOf = (cType: string): number => {
    const seen = new Set<string>();
    for (let t = cType; ; ) {
      if (seen.has(t)) throw new Error(`typedef cycle at ${t}`);
      seen.add(t);
      const asserted = WASI_TYPE.test(t) ? types.get(witxTypeName(t))?.size : undefined;
      if (asserted !== undefined) return asserted;
      const builtin = BUILTIN_SIZES.get(t);
      if (builtin !== undefined) return builtin;
      const next = typedefs.get(t);
      if (next === undefined) throw new Error(`unknown C type ${cType} (stuck at ${t})`);
      t = next;
    }
  };

  /*
   * Core wasm type(s) of one C parameter of the raw import. The rules follow
   * the C prototype, with one exception:
   *   - any pointer → i32 (wasm32 addresses);
   *   - a scalar whose (typedef-resolved) size is 8 → i64, 1..4 → i32;
   *   - EXCEPTION: `const char *` is a WITX `string`, which the C wrapper takes
   *     as a NUL-terminated pointer but which the raw import
   *     `wasi_snapshot_preview1.<fn>` takes as two i32s, (pointer, length),
   *     in that position (wasi-libc's wrapper passes strlen(path)). Lists are
   *     already spelled as pointer + `size_t x_len` in the prototype, so they
   *     need no special case.
   */
  const coreOf = (p: HeaderParam, fn: string): CoreType[] => {
    if (p.cType === 'const char *') return ['i32', 'i32'];
    if (p.cType.endsWith('*')) return ['i32'];
    const size = sizeOf(p.cType);
    if (size === 8) return ['i64'];
    if (size >= 1 && size <= 4) return ['i32'];
    throw new Error(`${fn}(${p.cType} ${p.name}): no core type for a ${size}-byte value`);
  };

  for (const [name, t] of types) {
    if (t.aliasOf === 'struct' || t.aliasOf === 'union') {
      if (t.size !== undefined) t.resolvedSize = t.size;
    } else {
      t.resolvedSize = sizeOf(`__wasi_${name}_t`);
    }
  }

  const functions = new Map<string, HeaderFunction>();
  const declRe =
    /(_Noreturn\s+void|__wasi_errno_t)\s+__wasi_(\w+)\s*\(([^()]*)\)\s*(__attribute__\(\(__warn_unused_result__\)\)\s*)?;/g;
  for (const m of src.matchAll(declRe)) {
    const [, ret, name, paramText] = m as unknown as [string, string, string, string];
    if (functions.has(name)) throw new Error(`duplicate declaration of __wasi_${name}`);
    const params = paramText.trim() === 'void' ? [] : paramText.split(',').map(parseDeclaration);
    const noreturn = ret.startsWith('_Noreturn');
    functions.set(name, {
      params,
      returns: noreturn ? 'noreturn' : '__wasi_errno_t',
      coreParams: params.flatMap((p) => coreOf(p, name)),
      // errno is a u16, returned widened to i32; proc_exit returns nothing.
      coreResults: noreturn ? [] : ['i32'],
    });
  }
  // Guard against declarations the regex above did not understand.
  const declared = new Set(
    Array.from(src.matchAll(/\b__wasi_(\w+)\s*\(/g), (m) => m[1] ?? '').filter((n) => !n.endsWith('_t')),
  );
  const missed = [...declared].filter((n) => !functions.has(n));
  if (missed.length) throw new Error(`unparsed __wasi_ declarations: ${missed.join(', ')}`);

  return { types, functions };
}
