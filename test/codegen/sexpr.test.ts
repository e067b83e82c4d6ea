import { describe, expect, it } from 'vitest';
import { readSExprs, type SExpr, type SList } from '../../codegen/sexpr.js';
import { formatLocation } from '../../codegen/source.js';
import { expectWitxError, posOf } from './inline-witx.js';

const FILE = 'fixture.witx';
const read = (text: string) => readSExprs({ path: FILE, text });
const list = (e: SExpr | undefined): SList => {
  expect(e?.kind).toBe('list');
  return e as SList;
};

describe('readSExprs: structure and positions', () => {
  it('reads atoms, ids, strings and nested lists with their positions', () => {
    const text = '(typename $fd\n  (handle))\n\n  (use "x.witx")';
    const [a, b] = read(text);
    const first = list(a);
    expect(first.items.map((i) => i.kind)).toEqual(['atom', 'id', 'list']);
    expect(formatLocation(first.loc)).toBe(`${FILE}:${posOf(text, '(typename')}`);
    expect(formatLocation(first.items[1]!.loc)).toBe(`${FILE}:${posOf(text, '$fd')}`);
    expect(formatLocation(first.items[2]!.loc)).toBe(`${FILE}:${posOf(text, '(handle')}`);
    const use = list(b);
    expect(use.items[1]).toMatchObject({ kind: 'string', value: 'x.witx' });
    expect(formatLocation(use.items[1]!.loc)).toBe(`${FILE}:${posOf(text, '"x.witx"')}`);
  });

  it('decodes the supported string escapes', () => {
    const [f] = read(String.raw`(x "a\nb\tc\\d\"e\'f")`);
    expect(list(f).items[1]).toMatchObject({ kind: 'string', value: 'a\nb\tc\\d"e\'f' });
  });

  it('attaches ;;; doc comments to the following form', () => {
    const [f] = read(';;; First line.\n;;; Second line.\n(typename $a u8)\n(typename $b u8)');
    expect(list(f).docs).toBe('First line.\nSecond line.');
  });

  it('does not carry doc comments past the form they precede', () => {
    const forms = read(';;; Only for a.\n(typename $a u8)\n(typename $b u8)');
    expect(list(forms[0]).docs).toBe('Only for a.');
    expect(list(forms[1]).docs).toBe('');
  });

  it('attaches doc comments to ids inside a form (enum cases)', () => {
    const [f] = read('(enum\n  ;;; The first.\n  $one\n  $two)');
    const items = list(f).items;
    expect(items[1]).toMatchObject({ kind: 'id', name: 'one', docs: 'The first.' });
    expect(items[2]).toMatchObject({ kind: 'id', name: 'two', docs: '' });
  });

  it('skips ;; line comments without keeping them as docs', () => {
    const [f] = read(';; not a doc\n(typename $a u8) ;; trailing');
    expect(list(f).docs).toBe('');
    expect(list(f).items).toHaveLength(3);
  });

  it('skips (; block ;) comments, also across lines and inside forms', () => {
    const text = '(; a block\n comment ;)(typename (; inline ;) $a\n u8)';
    const forms = read(text);
    expect(forms).toHaveLength(1);
    expect(list(forms[0]).items.map((i) => i.kind)).toEqual(['atom', 'id', 'atom']);
    expect(formatLocation(list(forms[0]).items[1]!.loc)).toBe(`${FILE}:${posOf(text, '$a')}`);
  });

  // The WebAssembly text format (whose lexer WITX uses) lets block comments nest.
  it('skips nested (; (; ;) ;) block comments', () => {
    expect(read('(; outer (; inner ;) still comment ;)(typename $a u8)')).toHaveLength(1);
  });

  it('counts columns per line (tabs are one column)', () => {
    const text = '(a\n\t\t$b)';
    const [f] = read(text);
    expect(list(f).items[1]!.loc).toEqual({ file: FILE, line: 2, column: 3 });
  });
});

describe('readSExprs: errors at file:line:column', () => {
  it('unclosed "(": points at the opening paren', () => {
    const text = '(typename $ok u8)\n\n  (typename $a\n    (record (field $x u8))';
    expectWitxError(() => read(text), FILE, posOf(text, '(typename $a'), /unclosed "\(/);
  });

  it('stray ")": points at it', () => {
    const text = '(typename $a u8)\n   )';
    expectWitxError(() => read(text), FILE, posOf(text, ')', 1), /unexpected "\)"/);
  });

  it('unterminated string at end of file: points at the opening quote', () => {
    const text = '(use\n  "never closed';
    expectWitxError(() => read(text), FILE, posOf(text, '"'), /unterminated string/);
  });

  it('string broken by a newline: points at the opening quote', () => {
    const text = '(use "a\nb")';
    expectWitxError(() => read(text), FILE, posOf(text, '"a'), /unterminated string/);
  });

  it('bad escape: points at the backslash', () => {
    const text = '(x\n  "ok \\q")';
    expectWitxError(() => read(text), FILE, posOf(text, '\\q'), /escape/);
  });

  it('invalid $ identifiers: points at the $', () => {
    const text = '(typename\n  $bad-name u8)';
    expectWitxError(() => read(text), FILE, posOf(text, '$bad'), /invalid identifier "\$bad-name"/);
    const lone = '(typename $ u8)';
    expectWitxError(() => read(lone), FILE, posOf(lone, '$'), /invalid identifier "\$"/);
    const unicode = '(typename $naïve u8)';
    expectWitxError(() => read(unicode), FILE, posOf(unicode, '$'), /invalid identifier/);
  });

  it('a single ";" is not a comment', () => {
    const text = '(a)\n ; b';
    expectWitxError(() => read(text), FILE, posOf(text, ';'), /unexpected ";"/);
  });

  it('unterminated block comment: points at "(;"', () => {
    const text = '(a)\n  (; open';
    expectWitxError(() => read(text), FILE, posOf(text, '(;'), /unterminated block comment/);
  });

  it('unexpected characters in a bare word', () => {
    const text = '(typename $a\n  u8#)';
    expectWitxError(() => read(text), FILE, posOf(text, 'u8#'), /unexpected characters/);
  });
});
