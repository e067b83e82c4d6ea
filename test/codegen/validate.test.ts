import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadWitx } from '../../codegen/load.js';
import { validate } from '../../codegen/validate.js';
import { MAIN, docOf, expectWitxError, loadFiles, posOf, witxErrorOf } from './inline-witx.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/witx/', import.meta.url));
const fixture = (name: string) => `${FIXTURES}${name}`;
const readDisk = (p: string) => readFileSync(p, 'utf8');

/** Validates `text` as /fixture/main.witx and expects a WitxError at the position of `needle`. */
function rejects(text: string, needle: string, reason: RegExp, nth = 0) {
  return expectWitxError(() => docOf(text), MAIN, posOf(text, needle, nth), reason);
}

const cases = (n: number) => Array.from({ length: n }, (_, i) => `$c${i}`).join(' ');

describe('validate: names and references', () => {
  it('unknown type reference: names the missing type, in the file of the definition', () => {
    const text = '(typename $ok u8)\n(typename $r\n  (record\n    (field $x $nope)))';
    const err = witxErrorOf(() => docOf(text));
    expect(err.location.file).toBe(MAIN);
    expect(err.reason).toMatch(/unknown type \$nope/);
  });

  // The error points at the enclosing typename (codegen/validate.ts checkType gets def.loc), not at
  // the reference itself.
  it('unknown type reference: points at the reference', () => {
    const text = '(typename $ok u8)\n(typename $r\n  (record\n    (field $x $nope)))';
    rejects(text, '$nope', /unknown type \$nope/);
  });

  it('unknown builtin word as a type', () => {
    const text = '(typename $a\n  u128)';
    rejects(text, 'u128', /unknown type "u128"/);
  });

  it('duplicate typename: points at the second and names the first location', () => {
    const text = '(typename $a u8)\n\n(typename $a u16)';
    const err = rejects(text, '$a', /duplicate type name \$a/, 1);
    expect(err.message).toContain(`first defined at ${MAIN}:${posOf(text, '$a')}`);
  });

  it('duplicate typename across files: names the first file', () => {
    const root = fixture('duplicate-across-files.witx');
    const shared = fixture('use-diamond/shared.witx');
    const err = witxErrorOf(() => validate(loadWitx([root], readDisk)));
    const rootText = readDisk(root);
    expect(err.message.startsWith(`${root}:${posOf(rootText, '$shared')}: `)).toBe(true);
    expect(err.message).toContain(`first defined at ${shared}:${posOf(readDisk(shared), '$shared')}`);
  });

  it('duplicate record field names: points at the second field', () => {
    const text = '(typename $r (record\n  (field $x u8)\n  (field $x u16)))';
    rejects(text, '(field $x', /duplicate name \$x in record/, 1);
  });

  it('duplicate enum cases and flag names: points at the second', () => {
    const e = '(typename $e (enum (@witx tag u8)\n  $a\n  $b\n  $a))';
    rejects(e, '$a', /duplicate name \$a in enum/, 1);
    const f = '(typename $f (flags (@witx repr u8)\n  $r\n  $w\n  $r))';
    rejects(f, '$r', /duplicate name \$r in flags/, 1);
  });

  it('duplicate variant case names', () => {
    const text = '(typename $v (variant (@witx tag u8)\n  (case $a u8)\n  (case $a)))';
    rejects(text, '(case $a', /duplicate name \$a in variant/, 1);
  });

  it('unknown top-level form', () => {
    const text = '(typename $a u8)\n  (frobnicate $a)';
    rejects(text, '(frobnicate', /unknown top-level form/);
  });

  it('duplicate function in a module: points at the second', () => {
    const text = '(module $m\n  (@interface func (export "f"))\n  (@interface func (export "f")))';
    rejects(text, '(@interface', /duplicate function "f" in module \$m/, 1);
  });

  it('noreturn with results', () => {
    const text = '(typename $e (enum (@witx tag u8) $success))\n(module $m\n  (@interface func (export "exit")\n    (result $r (expected (error $e)))\n    (@witx noreturn)))';
    rejects(text, '(@interface', /noreturn function cannot have results/);
  });

  it('a noreturn function without results is accepted', () => {
    const doc = docOf('(module $m (@interface func (export "exit") (param $code u32) (@witx noreturn)))');
    expect(doc.modules[0]!.funcs[0]).toMatchObject({ name: 'exit', noreturn: true, results: [] });
  });
});

describe('validate: enums, flags, unions and variants', () => {
  it('enum with more cases than its tag can number', () => {
    const text = `(typename $ok (enum (@witx tag u8) ${cases(256)}))\n(typename $e\n  (enum (@witx tag u8) ${cases(257)}))`;
    rejects(text, '(enum', /257 cases, more than u8/, 1);
    expect(docOf(`(typename $e (enum (@witx tag u8) ${cases(256)}))`).types.get('e')!.type).toMatchObject({ repr: 'u8' });
  });

  it('flags with more members than the repr has bits', () => {
    const text = `(typename $ok (flags (@witx repr u8) ${cases(8)}))\n(typename $f\n  (flags (@witx repr u8) ${cases(9)}))`;
    rejects(text, '(flags', /9 members, more than the 8 bits of u8/, 1);
    const u16 = `(typename $f (flags (@witx repr u16) ${cases(17)}))`;
    rejects(u16, '(flags', /17 members, more than the 16 bits of u16/);
  });

  it('union whose type count differs from the tag enum cases', () => {
    const text = '(typename $t (enum (@witx tag u8) $a $b $c))\n(typename $u\n  (union (@witx tag $t) u8 u16))';
    const err = witxErrorOf(() => docOf(text));
    expect(err.location.file).toBe(MAIN);
    expect(err.location.line).toBe(2);
    expect(err.reason).toMatch(/union has 2 types but tag \$t has 3 cases/);
  });

  it('union names its cases after the tag enum, in order', () => {
    const doc = docOf('(typename $t (enum (@witx tag u16) $p $q))\n(typename $u (union (@witx tag $t) u8 u64))');
    expect(doc.types.get('u')!.type).toMatchObject({
      kind: 'variant',
      tagRepr: 'u16',
      cases: [
        { name: 'p', discriminant: 0 },
        { name: 'q', discriminant: 1 },
      ],
    });
  });

  it('variant case names that do not match the tag enum', () => {
    const text = '(typename $t (enum (@witx tag u8) $a $b))\n(typename $v\n  (variant (@witx tag $t) (case $a u8) (case $c)))';
    const err = witxErrorOf(() => docOf(text));
    expect(err.location).toMatchObject({ file: MAIN, line: 2 });
    expect(err.reason).toMatch(/variant cases \(a, c\) do not match the cases of tag \$t \(a, b\)/);
  });

  it('variant cases take their discriminant from the tag enum position', () => {
    const doc = docOf('(typename $t (enum (@witx tag u8) $a $b $c))\n(typename $v (variant (@witx tag $t) (case $c u32) (case $a) (case $b u8)))');
    const v = doc.types.get('v')!.type;
    expect(v.kind === 'variant' && v.cases.map((c) => [c.name, c.discriminant])).toEqual([
      ['c', 2],
      ['a', 0],
      ['b', 1],
    ]);
  });

  it('tag that is not an enum', () => {
    const text = '(typename $t u8)\n(typename $v (variant (@witx tag $t) (case $a)))';
    expect(witxErrorOf(() => docOf(text)).reason).toMatch(/tag type \$t is not an enum/);
  });
});

describe('validate: recursion and constants', () => {
  it('a record containing itself by value', () => {
    const text = '(typename $ok u8)\n(typename $r\n  (record (field $x u8) (field $self $r)))';
    rejects(text, '$r', /type \$r contains itself/);
  });

  it('mutual recursion by value through a tuple', () => {
    const text = '(typename $a (record (field $b $b)))\n(typename $b (tuple u8 $a))';
    expect(witxErrorOf(() => docOf(text)).reason).toMatch(/contains itself/);
  });

  it('a pointer or list to itself is fine', () => {
    const doc = docOf(
      '(typename $node (record (field $value u32) (field $next (@witx pointer $node)) (field $children (list $node))))',
    );
    expect(doc.types.has('node')).toBe(true);
  });

  it('constant that does not fit its type: points at the value', () => {
    const text = '(typename $t u8)\n(@witx const $t $max 255)\n(@witx const $t $over\n  256)';
    rejects(text, '256', /256 does not fit in u8/);
  });

  it('constants of flags types use the repr, hex values are read', () => {
    const doc = docOf('(typename $f (flags (@witx repr u16) $a))\n(@witx const $f $all 0xffff)');
    expect(doc.constants).toMatchObject([{ type: 'f', name: 'all', value: 0xffffn }]);
    const over = '(typename $f (flags (@witx repr u16) $a))\n(@witx const $f $all 0x10000)';
    rejects(over, '0x10000', /does not fit in u16/);
  });
});

describe('loadWitx: use', () => {
  it('use of a missing file: error at the use form', () => {
    const path = fixture('use-missing.witx');
    const err = expectWitxError(() => loadWitx([path], readDisk), path, posOf(readDisk(path), '(use'), /cannot read/);
    expect(err.message).toContain('does-not-exist.witx');
  });

  it('use of a missing file, in memory', () => {
    const text = '(typename $a u8)\n\n    (use "gone.witx")';
    expectWitxError(() => loadFiles({ [MAIN]: text }), MAIN, posOf(text, '(use'), /cannot read \/fixture\/gone\.witx/);
  });

  it('resolves use relative to the including file (nested folders)', () => {
    const root = fixture('use-nested/root.witx');
    const forms = loadWitx([root], readDisk);
    const files = [...new Set(forms.map((f) => f.file))];
    // A used file's forms come before the user's.
    expect(files).toEqual([fixture('use-nested/sub/leaf.witx'), fixture('use-nested/sub/types.witx'), root]);
    const doc = validate(forms);
    expect([...doc.types.keys()].sort()).toEqual(['leaf', 'mid']);
    expect(doc.modules.map((m) => m.name)).toEqual(['nested']);
  });

  it('reads a file used twice only once (diamond)', () => {
    const forms = loadWitx([fixture('use-diamond/root.witx')], readDisk);
    expect(forms.filter((f) => f.file.endsWith('shared.witx'))).toHaveLength(1);
    expect([...validate(forms).types.keys()]).toEqual(['shared', 'left', 'right']);
  });

  it('malformed use', () => {
    const text = '(typename $a u8)\n(use gone.witx)';
    expectWitxError(() => loadFiles({ [MAIN]: text }), MAIN, posOf(text, '(use'), /expected \(use "file\.witx"\)/);
  });

  it('errors inside a used file carry that file name', () => {
    const sub = '/fixture/sub/bad.witx';
    const subText = '(typename $a u8)\n  (typename $b';
    const err = expectWitxError(
      () => loadFiles({ [MAIN]: '(use "sub/bad.witx")', [sub]: subText }),
      sub,
      posOf(subText, '(typename $b'),
      /unclosed/,
    );
    expect(err.location.file).toBe(sub);
  });
});

describe('docs', () => {
  it(';;; doc comments land on the typename, function and field they precede', () => {
    const doc = docOf(`;;; A small record.
(typename $r
  (record
    ;;; The x.
    (field $x u8)))
(module $m
  ;;; Does f.
  (@interface func (export "f")))`);
    expect(doc.types.get('r')!.docs).toBe('A small record.');
    const r = doc.types.get('r')!.type;
    expect(r.kind === 'record' && r.fields[0]!.docs).toBe('The x.');
    expect(doc.modules[0]!.funcs[0]!.docs).toBe('Does f.');
  });
});
