import { describe, expect, it } from 'vitest';
import { lowerFunc } from '../../codegen/abi.js';
import type { Document, Type } from '../../codegen/ir.js';
import { Layout } from '../../codegen/layout.js';
import { docOf } from './inline-witx.js';

// Every expected number here is worked out by hand from the C layout rules of wasm32 (each member at
// its alignment, the whole rounded up to the largest alignment), noted beside the value.

const ref = (name: string): Type => ({ kind: 'ref', name });

const TYPES = `
(typename $errno (enum (@witx tag u16) $success $badf $inval))
(typename $padded (record (field $a u8) (field $b u32) (field $c u16)))
(typename $wide (record (field $a u8) (field $b u64) (field $c u8)))
(typename $inner (record (field $x u8) (field $y u16)))
(typename $outer (record (field $a u8) (field $in $inner) (field $z u8)))
(typename $v8 (variant (@witx tag u8) (case $small u8) (case $big u64) (case $none)))
(typename $v16_32 (variant (@witx tag u8) (case $h u16) (case $w u32)))
(typename $vempty (variant (@witx tag u8) (case $a) (case $b)))
(typename $vtag32 (variant (@witx tag u32) (case $a u8)))
(typename $twelve (record (field $a u32) (field $b u32) (field $c u32)))
(typename $vmixed (variant (@witx tag u8) (case $x u64) (case $y $twelve)))
(typename $kind (enum (@witx tag u16) $p $q))
(typename $un (union (@witx tag $kind) u8 u64))
(typename $un32 (union (@witx tag $kind) u8 u32))
(typename $tup (tuple u8 u32 u16))
(typename $withptr (record (field $p (@witx pointer u8)) (field $n u8)))
(typename $withstr (record (field $tag u8) (field $s string)))
(typename $withlist (record (field $tag u8) (field $l (list u8))))
(typename $fl16 (flags (@witx repr u16) $r $w))
(typename $fl64 (flags (@witx repr u64) $r $w))
(typename $fd (handle))
`;

const doc: Document = docOf(TYPES);
const l4 = new Layout(doc, 4);
const l8 = new Layout(doc, 8);
const offsets = (l: Layout, name: string) => l.fields(ref(name)).map((f) => f.offset);

describe('Layout: records and tuples', () => {
  it('pads each field to its alignment and the record to the largest', () => {
    // u8 @0, pad 3, u32 @4, u16 @8, pad 2 -> 12, align 4
    expect(l4.sizeAlign(ref('padded'))).toEqual({ size: 12, align: 4 });
    expect(offsets(l4, 'padded')).toEqual([0, 4, 8]);
    // u8 @0, pad 7, u64 @8, u8 @16, pad 7 -> 24, align 8
    expect(l4.sizeAlign(ref('wide'))).toEqual({ size: 24, align: 8 });
    expect(offsets(l4, 'wide')).toEqual([0, 8, 16]);
  });

  it('lays out nested records by their own size and alignment', () => {
    // inner: u8 @0, u16 @2 -> 4, align 2
    expect(l4.sizeAlign(ref('inner'))).toEqual({ size: 4, align: 2 });
    // outer: u8 @0, inner @2 (4 bytes), u8 @6, pad 1 -> 8, align 2
    expect(l4.sizeAlign(ref('outer'))).toEqual({ size: 8, align: 2 });
    expect(offsets(l4, 'outer')).toEqual([0, 2, 6]);
    expect(l4.fields(ref('outer')).map((f) => f.size)).toEqual([1, 4, 1]);
  });

  it('lays out tuples like records', () => {
    // u8 @0, u32 @4, u16 @8 -> 12, align 4
    expect(l4.sizeAlign(ref('tup'))).toEqual({ size: 12, align: 4 });
    expect(l4.fields(ref('tup'))).toEqual([
      { name: '0', offset: 0, size: 1 },
      { name: '1', offset: 4, size: 4 },
      { name: '2', offset: 8, size: 2 },
    ]);
  });
});

describe('Layout: variants and unions', () => {
  it('variant with a u8 tag: payload at the strictest payload alignment', () => {
    // tag @0, payload (u8 | u64) @8, 8 bytes -> 16, align 8
    expect(l4.variant(ref('v8'))).toEqual({ size: 16, align: 8, tagSize: 1, payloadOffset: 8 });
    // tag @0, payload (u16 | u32) @4 -> 8, align 4
    expect(l4.variant(ref('v16_32'))).toEqual({ size: 8, align: 4, tagSize: 1, payloadOffset: 4 });
    // tag only
    expect(l4.variant(ref('vempty'))).toEqual({ size: 1, align: 1, tagSize: 1, payloadOffset: 1 });
    // u32 tag @0, u8 @4, pad 3 -> 8, align 4
    expect(l4.variant(ref('vtag32'))).toEqual({ size: 8, align: 4, tagSize: 4, payloadOffset: 4 });
  });

  // struct { uint8_t tag; union { uint64_t x; struct { uint32_t a, b, c; } y; } u; }: the union is 12
  // bytes rounded up to its alignment 8 = 16, at offset 8 -> 24. codegen/layout.ts variant() sizes
  // each case as if its payload started at its own alignment (y at 4: 16 bytes) and takes the
  // largest, 16, while putting every payload at payloadOffset 8: y would end at 20, past the end.
  it('variant whose largest payload is not the most aligned one (C layout: 24)', () => {
    const v = l4.variant(ref('vmixed'));
    expect(v.payloadOffset).toBe(8);
    expect(v.size).toBe(24);
  });

  it('every payload fits inside the variant (payloadOffset + payload size <= size)', () => {
    for (const name of ['v8', 'v16_32', 'vempty', 'vtag32', 'un', 'un32']) {
      const v = l4.variant(ref(name));
      const t = doc.types.get(name)!.type;
      if (t.kind !== 'variant') throw new Error(name);
      for (const c of t.cases) if (c.type) expect(v.payloadOffset + l4.sizeAlign(c.type).size, name).toBeLessThanOrEqual(v.size);
    }
  });

  it('union with a tag enum takes the enum repr as its tag', () => {
    // u16 tag @0, payload (u8 | u64) @8 -> 16, align 8
    expect(l4.variant(ref('un'))).toEqual({ size: 16, align: 8, tagSize: 2, payloadOffset: 8 });
    // u16 tag @0, payload (u8 | u32) @4 -> 8, align 4
    expect(l4.variant(ref('un32'))).toEqual({ size: 8, align: 4, tagSize: 2, payloadOffset: 4 });
    expect(l4.sizeAlign(ref('un'))).toMatchObject({ size: 16, align: 8 });
  });
});

describe('Layout: pointer-sized things', () => {
  it('string and list are (pointer, length): 8 bytes align 4 on wasm32, 16 align 8 with 8-byte pointers', () => {
    for (const t of [{ kind: 'string' }, { kind: 'list', element: { kind: 'builtin', name: 'u64' } }] as Type[]) {
      expect(l4.sizeAlign(t)).toEqual({ size: 8, align: 4 });
      expect(l8.sizeAlign(t)).toEqual({ size: 16, align: 8 });
    }
    // u8 @0, string @4 -> 12 / u8 @0, string @8 -> 24
    expect(l4.sizeAlign(ref('withstr'))).toEqual({ size: 12, align: 4 });
    expect(l8.sizeAlign(ref('withstr'))).toEqual({ size: 24, align: 8 });
    expect(offsets(l4, 'withlist')).toEqual([0, 4]);
    expect(offsets(l8, 'withlist')).toEqual([0, 8]);
  });

  it('pointers and usize take the pointer size', () => {
    const p: Type = { kind: 'pointer', const: false, to: { kind: 'builtin', name: 'u64' } };
    expect(l4.sizeAlign(p)).toEqual({ size: 4, align: 4 });
    expect(l8.sizeAlign(p)).toEqual({ size: 8, align: 8 });
    expect(l4.sizeAlign({ kind: 'builtin', name: 'usize' })).toEqual({ size: 4, align: 4 });
    expect(l8.sizeAlign({ kind: 'builtin', name: 'usize' })).toEqual({ size: 8, align: 8 });
    // pointer @0, u8 @4|8, padded to the pointer alignment
    expect(l4.sizeAlign(ref('withptr'))).toEqual({ size: 8, align: 4 });
    expect(l8.sizeAlign(ref('withptr'))).toEqual({ size: 16, align: 8 });
  });

  it('enums and flags take their repr, handles are 4 bytes', () => {
    expect(l4.sizeAlign(ref('errno'))).toEqual({ size: 2, align: 2 });
    expect(l4.sizeAlign(ref('fl16'))).toEqual({ size: 2, align: 2 });
    expect(l4.sizeAlign(ref('fl64'))).toEqual({ size: 8, align: 8 });
    expect(l8.sizeAlign(ref('fd'))).toEqual({ size: 4, align: 4 });
  });
});

const FUNCS = `${TYPES}
(module $m
  (@interface func (export "takes_string") (param $s string) (result $error (expected (error $errno))))
  (@interface func (export "takes_list") (param $fd $fd) (param $l (list $padded)) (result $error (expected (error $errno))))
  (@interface func (export "takes_u64") (param $x u64) (param $y s64) (param $z u32) (result $error (expected (error $errno))))
  (@interface func (export "takes_flags") (param $a $fl64) (param $b $fl16) (result $error (expected (error $errno))))
  (@interface func (export "takes_record") (param $r $padded) (result $error (expected (error $errno))))
  (@interface func (export "gives_tuple") (result $error (expected (tuple u32 u64) (error $errno))))
  (@interface func (export "gives_record") (result $error (expected $wide (error $errno))))
  (@interface func (export "gives_nothing") (param $fd $fd) (result $error (expected (error $errno))))
  (@interface func (export "gives_scalar") (result $n u64))
  (@interface func (export "exits") (param $code u32) (@witx noreturn))
)`;
const fdoc = docOf(FUNCS);
const lower = (name: string, ptr: 4 | 8 = 4) => {
  const f = fdoc.modules[0]!.funcs.find((x) => x.name === name);
  if (!f) throw new Error(name);
  const l = lowerFunc(f, fdoc, ptr);
  return { params: l.params.map((p) => p.wasm), roles: l.params.map((p) => p.role), results: l.results, lowered: l };
};

describe('lowerFunc: core wasm signatures', () => {
  it('a string param is (pointer, length)', () => {
    expect(lower('takes_string')).toMatchObject({ params: ['i32', 'i32'], roles: ['pointer', 'length'], results: ['i32'] });
    expect(lower('takes_string', 8)).toMatchObject({ params: ['i64', 'i64'], results: ['i32'] });
  });

  it('a list param is (pointer, length)', () => {
    expect(lower('takes_list')).toMatchObject({ params: ['i32', 'i32', 'i32'], roles: ['value', 'pointer', 'length'], results: ['i32'] });
  });

  it('64-bit integers are i64, smaller ones i32', () => {
    expect(lower('takes_u64')).toMatchObject({ params: ['i64', 'i64', 'i32'], results: ['i32'] });
  });

  it('flags follow their repr: u64 -> i64, u16 -> i32', () => {
    expect(lower('takes_flags')).toMatchObject({ params: ['i64', 'i32'], results: ['i32'] });
  });

  it('a record param goes by pointer', () => {
    expect(lower('takes_record')).toMatchObject({ params: ['i32'], results: ['i32'] });
    expect(lower('takes_record', 8)).toMatchObject({ params: ['i64'] });
  });

  it('a tuple ok value becomes one out-pointer per element, after the params', () => {
    const t = lower('gives_tuple');
    expect(t).toMatchObject({ params: ['i32', 'i32'], roles: ['out', 'out'], results: ['i32'] });
    expect(t.lowered.outputs).toEqual([
      { kind: 'builtin', name: 'u32' },
      { kind: 'builtin', name: 'u64' },
    ]);
    expect(lower('gives_tuple', 8)).toMatchObject({ params: ['i64', 'i64'], results: ['i32'] });
  });

  it('a record ok value is one out-pointer', () => {
    expect(lower('gives_record')).toMatchObject({ params: ['i32'], roles: ['out'], results: ['i32'] });
  });

  it('expected without an ok value returns just the errno', () => {
    const g = lower('gives_nothing');
    expect(g).toMatchObject({ params: ['i32'], roles: ['value'], results: ['i32'] });
    expect(g.lowered.outputs).toEqual([]);
    expect(g.lowered.errorType).toMatchObject(ref('errno'));
  });

  it('a plain scalar result is returned directly', () => {
    expect(lower('gives_scalar')).toMatchObject({ params: [], results: ['i64'] });
  });

  it('noreturn has no results', () => {
    expect(lower('exits')).toMatchObject({ params: ['i32'], results: [] });
  });
});
