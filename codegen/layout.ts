import type { Document, IntRepr, Type } from './ir.js';
import { resolveType } from './validate.js';

// Sizes, alignments and offsets by the WITX rules (the C layout of wasm32), memoized per type name.

export interface SizeAlign {
  readonly size: number;
  readonly align: number;
}
export interface FieldLayout {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}
export interface VariantLayout extends SizeAlign {
  readonly tagSize: number;
  /** Where every case's payload starts: after the tag, at the largest payload alignment. */
  readonly payloadOffset: number;
}

const REPR_SIZE: Record<IntRepr, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };
const alignTo = (n: number, a: number) => Math.ceil(n / a) * a;

export class Layout {
  private readonly memo = new Map<string, SizeAlign>();
  constructor(
    private readonly doc: Document,
    /** 4 for wasm32 (every version here, and `wasix_32v1`), 8 for `wasix_64v1`. */
    readonly pointerSize: 4 | 8 = 4,
  ) {}

  sizeAlign(t: Type): SizeAlign {
    if (t.kind === 'ref') {
      let sa = this.memo.get(t.name);
      if (!sa) {
        const def = this.doc.types.get(t.name);
        if (!def) throw new Error(`unknown type $${t.name}`);
        sa = this.sizeAlign(def.type);
        this.memo.set(t.name, sa);
      }
      return sa;
    }
    const p = this.pointerSize;
    switch (t.kind) {
      case 'builtin':
        switch (t.name) {
          case 'u8': case 's8': case 'char8': return { size: 1, align: 1 };
          case 'u16': case 's16': return { size: 2, align: 2 };
          case 'u32': case 's32': case 'f32': return { size: 4, align: 4 };
          case 'u64': case 's64': case 'f64': return { size: 8, align: 8 };
          case 'usize': return { size: p, align: p };
        }
        break;
      case 'handle':
        return { size: 4, align: 4 };
      case 'pointer':
        return { size: p, align: p };
      case 'string':
      case 'list':
        return { size: 2 * p, align: p };
      case 'enum':
      case 'flags':
        return { size: REPR_SIZE[t.repr], align: REPR_SIZE[t.repr] };
      case 'record':
        return this.aggregate(t.fields.map((f) => f.type)).sa;
      case 'tuple':
        return this.aggregate(t.elements).sa;
      case 'variant':
        return this.variant(t);
      case 'expected':
        throw new Error('(expected) only appears as a function result and has no memory layout');
    }
    throw new Error(`no layout for ${JSON.stringify(t)}`);
  }

  /** Field offsets of a record (or tuple, with fields named 0, 1, ...). */
  fields(t: Type): FieldLayout[] {
    const r = resolveType(t, this.doc.types);
    if (r.kind === 'record') {
      const { offsets } = this.aggregate(r.fields.map((f) => f.type));
      return r.fields.map((f, i) => ({ name: f.name, offset: offsets[i]!, size: this.sizeAlign(f.type).size }));
    }
    if (r.kind === 'tuple') {
      const { offsets } = this.aggregate(r.elements);
      return r.elements.map((e, i) => ({ name: String(i), offset: offsets[i]!, size: this.sizeAlign(e).size }));
    }
    throw new Error(`not a record: ${JSON.stringify(t)}`);
  }

  variant(t: Type): VariantLayout {
    const r = resolveType(t, this.doc.types);
    if (r.kind !== 'variant') throw new Error(`not a variant: ${JSON.stringify(t)}`);
    const tagSize = REPR_SIZE[r.tagRepr];
    // The C layout wasi-libc uses: the tag, then one union of every payload at the strictest payload
    // alignment, the whole rounded to the variant's alignment.
    let payloadOffset = tagSize;
    let payloadSize = 0;
    let align = tagSize;
    for (const c of r.cases) {
      if (!c.type) continue;
      const sa = this.sizeAlign(c.type);
      payloadOffset = alignTo(payloadOffset, sa.align);
      payloadSize = Math.max(payloadSize, sa.size);
      align = Math.max(align, sa.align);
    }
    const size = alignTo(payloadOffset + payloadSize, align);
    return { size, align, tagSize, payloadOffset };
  }

  private aggregate(members: readonly Type[]): { sa: SizeAlign; offsets: number[] } {
    let size = 0;
    let align = 1;
    const offsets: number[] = [];
    for (const m of members) {
      const sa = this.sizeAlign(m);
      size = alignTo(size, sa.align);
      offsets.push(size);
      size += sa.size;
      align = Math.max(align, sa.align);
    }
    return { sa: { size: alignTo(size, align), align }, offsets };
  }
}
