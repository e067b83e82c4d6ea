import type { Document, Type } from '../ir.js';
import type { Layout } from '../layout.js';
import { pascal } from '../names.js';
import { resolveType } from '../validate.js';

// The DataView expressions that read and write a WITX value at a guest address, shared by the
// layout readers/writers and the import shims. `v` is a DataView, `p` an address expression.

type Scalar = { get: string; set: string; size: number };

const SCALARS: Record<string, Scalar> = {
  u8: { get: 'getUint8', set: 'setUint8', size: 1 },
  s8: { get: 'getInt8', set: 'setInt8', size: 1 },
  char8: { get: 'getUint8', set: 'setUint8', size: 1 },
  u16: { get: 'getUint16', set: 'setUint16', size: 2 },
  s16: { get: 'getInt16', set: 'setInt16', size: 2 },
  u32: { get: 'getUint32', set: 'setUint32', size: 4 },
  s32: { get: 'getInt32', set: 'setInt32', size: 4 },
  f32: { get: 'getFloat32', set: 'setFloat32', size: 4 },
  u64: { get: 'getBigUint64', set: 'setBigUint64', size: 8 },
  s64: { get: 'getBigInt64', set: 'setBigInt64', size: 8 },
  f64: { get: 'getFloat64', set: 'setFloat64', size: 8 },
};

/** The DataView accessor pair of a scalar type, or undefined for aggregates. */
export function scalarAccess(t: Type, doc: Document, layout: Layout): Scalar | undefined {
  const r = resolveType(t, doc.types);
  const ptr = layout.pointerSize === 8 ? 'u64' : 'u32';
  switch (r.kind) {
    case 'builtin':
      return SCALARS[r.name === 'usize' ? ptr : r.name];
    case 'enum':
    case 'flags':
      return SCALARS[r.repr];
    case 'handle':
      return SCALARS.u32;
    case 'pointer':
      return SCALARS[ptr];
    default:
      return undefined;
  }
}

const at = (p: string, off: number) => (off === 0 ? p : `${p} + ${off}`);

/** An expression reading a value of type `t` at `p` (+`off`). Named aggregates call their reader. */
export function readExpr(t: Type, doc: Document, layout: Layout, v: string, p: string, off = 0, prefix = ''): string {
  const s = scalarAccess(t, doc, layout);
  const r = resolveType(t, doc.types);
  if (s) {
    const raw = `${v}.${s.get}(${at(p, off)}${s.size > 1 ? ', true' : ''})`;
    // Enum values read from the guest are checked like enum arguments: out of range is `inval`.
    if (r.kind === 'enum' && t.kind === 'ref') {
      return r.repr === 'u64'
        ? `(C.enum64(${raw}, ${r.cases.length}n) as T.${pascal(t.name)})`
        : `(C.enumValue(${raw}, ${r.cases.length}) as T.${pascal(t.name)})`;
    }
    // wasm64 pointers and sizes in memory are u64; handlers see offsets (numbers), checked like arguments.
    if (layout.pointerSize === 8 && (r.kind === 'pointer' || (r.kind === 'builtin' && r.name === 'usize'))) {
      return `C.${r.kind === 'pointer' ? 'ptr64' : 'usize64'}(${raw})`;
    }
    return raw;
  }
  const ps = layout.pointerSize;
  if (t.kind === 'ref' && (r.kind === 'record' || r.kind === 'variant')) return `${prefix}read${pascal(t.name)}(${v}, ${at(p, off)})`;
  switch (r.kind) {
    case 'string':
    case 'list':
      return ps === 8
        ? `{ ptr: C.ptr64(${v}.getBigUint64(${at(p, off)}, true)), len: C.usize64(${v}.getBigUint64(${at(p, off + ps)}, true)) }`
        : `{ ptr: ${v}.getUint32(${at(p, off)}, true), len: ${v}.getUint32(${at(p, off + ps)}, true) }`;
    case 'tuple': {
      const fields = layout.fields(r);
      return `[${r.elements.map((e, i) => readExpr(e, doc, layout, v, p, off + fields[i]!.offset, prefix)).join(', ')}]`;
    }
    case 'record': {
      const fields = layout.fields(r);
      return `{ ${r.fields.map((f, i) => `${f.name}: ${readExpr(f.type, doc, layout, v, p, off + fields[i]!.offset, prefix)}`).join(', ')} }`;
    }
    default:
      throw new Error(`cannot read ${JSON.stringify(t)} from memory`);
  }
}

/** Statements writing `x` (an expression of the type's TS type) at `p` (+`off`). */
export function writeStmts(t: Type, doc: Document, layout: Layout, v: string, p: string, x: string, off = 0, prefix = ''): string {
  const s = scalarAccess(t, doc, layout);
  const r = resolveType(t, doc.types);
  if (s) {
    // A wasm64 pointer or size is a number below 2^53: its two 32-bit halves are stored without a
    // BigInt (setUint32 keeps the low 32 bits of x, and truncates x / 2^32 to the high ones).
    if (layout.pointerSize === 8 && (r.kind === 'pointer' || (r.kind === 'builtin' && r.name === 'usize'))) {
      return `${v}.setUint32(${at(p, off)}, ${x}, true); ${v}.setUint32(${at(p, off + 4)}, ${x} / 0x100000000, true);`;
    }
    return `${v}.${s.set}(${at(p, off)}, ${x}${s.size > 1 ? ', true' : ''});`;
  }
  const ps = layout.pointerSize;
  if (t.kind === 'ref' && (r.kind === 'record' || r.kind === 'variant')) return `${prefix}write${pascal(t.name)}(${v}, ${at(p, off)}, ${x});`;
  switch (r.kind) {
    case 'string':
    case 'list':
      return ps === 8
        ? `${v}.setUint32(${at(p, off)}, ${x}.ptr, true); ${v}.setUint32(${at(p, off + 4)}, ${x}.ptr / 0x100000000, true); ` +
            `${v}.setUint32(${at(p, off + ps)}, ${x}.len, true); ${v}.setUint32(${at(p, off + ps + 4)}, ${x}.len / 0x100000000, true);`
        : `${v}.setUint32(${at(p, off)}, ${x}.ptr, true); ${v}.setUint32(${at(p, off + ps)}, ${x}.len, true);`;
    case 'tuple': {
      const fields = layout.fields(r);
      return r.elements.map((e, i) => writeStmts(e, doc, layout, v, p, `${x}[${i}]`, off + fields[i]!.offset, prefix)).join('\n');
    }
    case 'record': {
      const fields = layout.fields(r);
      return r.fields.map((f, i) => writeStmts(f.type, doc, layout, v, p, `${x}.${f.name}`, off + fields[i]!.offset, prefix)).join('\n');
    }
    default:
      throw new Error(`cannot write ${JSON.stringify(t)} to memory`);
  }
}
