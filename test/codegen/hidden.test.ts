import { describe, expect, it } from 'vitest';
import type { TypeDef } from '../../codegen/ir.js';
import { validate } from '../../codegen/validate.js';
import { MAIN, docOf, expectWitxError, loadFiles, posOf } from './inline-witx.js';

// WASIX restates preview1's enums and flags as `(typename hidden $x (enum ... $hidden))`: a
// placeholder whose members live in WASI's own WITX. `hiddenFrom` fills them in.

const REFERENCE = docOf(`
(typename $clockid (enum (@witx tag u32) $realtime $monotonic))
(typename $fdflags (flags (@witx repr u16) $append $dsync))
(typename $eventtype (enum (@witx tag u8) $clock $fd_read $fd_write))
`).types;

const withHidden = (text: string, hiddenFrom: ReadonlyMap<string, TypeDef> = REFERENCE) =>
  validate(loadFiles({ [MAIN]: text }), { hiddenFrom });

describe('hidden typenames', () => {
  it('a hidden enum or flags takes the members of the same-named reference type', () => {
    const doc = withHidden(`
(typename hidden $clockid (enum (@witx tag u32) $hidden))
(typename hidden $fdflags (flags (@witx repr u16) $hidden))`);
    const clockid = doc.types.get('clockid')!.type;
    expect(clockid.kind === 'enum' && [clockid.repr, clockid.cases.map((c) => c.name)]).toEqual(['u32', ['realtime', 'monotonic']]);
    const flags = doc.types.get('fdflags')!.type;
    expect(flags.kind === 'flags' && flags.flags.map((f) => f.name)).toEqual(['append', 'dsync']);
  });

  it('a union tagged by a hidden enum names its cases after the filled-in members', () => {
    const doc = withHidden(`
(typename hidden $eventtype (enum (@witx tag u8) $hidden1 $hidden2 $hidden3))
(typename $u (union (@witx tag $eventtype) u8 u16 u32))`);
    const u = doc.types.get('u')!.type;
    expect(u.kind === 'variant' && u.cases.map((c) => c.name)).toEqual(['clock', 'fd_read', 'fd_write']);
  });

  it('without hiddenFrom, and for hidden records and aliases, the restated body stands', () => {
    const doc = docOf(`(typename hidden $clockid (enum (@witx tag u32) $hidden))`);
    const t = doc.types.get('clockid')!.type;
    expect(t.kind === 'enum' && t.cases.map((c) => c.name)).toEqual(['hidden']);
    const d = withHidden(`(typename hidden $size u32)
(typename hidden $r (record (field $a $size)))`);
    expect(d.types.get('size')!.type).toEqual({ kind: 'builtin', name: 'u32' });
    expect(d.types.get('r')!.type.kind).toBe('record');
  });

  it('a hidden enum with no reference of that name and repr is an error at its name', () => {
    const text = `(typename hidden $whence (enum (@witx tag u8) $hidden))`;
    expectWitxError(() => withHidden(text), MAIN, posOf(text, '$whence'), /hidden enum \$whence has no u8 enum of that name/);
    const wide = `(typename hidden $clockid (enum (@witx tag u8) $hidden))`;
    expectWitxError(() => withHidden(wide), MAIN, posOf(wide, '$clockid'), /no u8 enum/);
  });
});
