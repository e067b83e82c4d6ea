import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ephemeralTypes from '../../generated/ephemeral/types.js';
import * as ephemeralLayout from '../../generated/ephemeral/layout.js';
import * as preview1Types from '../../generated/preview1/types.js';
import * as preview1Layout from '../../generated/preview1/layout.js';
import * as snapshot0Types from '../../generated/snapshot0/types.js';
import * as snapshot0Layout from '../../generated/snapshot0/layout.js';
import type { AbiJson, AbiTypeDef } from '../../src/abi/abi-json.js';

// Where snapshot0 and ephemeral differ from preview1. Case orders and field lists come from the WITX
// text by regex; offsets are the C layout of wasm32 worked out by hand (and, for snapshot0, the
// numbers old wasi-libc's wasi/core.h asserted: filestat 56, subscription 56).

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const WITX = process.env.WITX_DIR ? resolve(process.env.WITX_DIR) : resolve(REPO, '..', 'shared', 'witx');
const witx = (file: string) => readFileSync(join(WITX, file), 'utf8').replace(/;;[^\n]*/g, '');
const abi = (v: string) => JSON.parse(readFileSync(join(REPO, 'generated', v, 'abi.json'), 'utf8')) as AbiJson;
const P1 = abi('preview1');
const S0 = abi('snapshot0');
const EP = abi('ephemeral');

/** The body of `(typename $name ...)` in a WITX text, up to the next typename. */
function typenameBody(text: string, name: string): string {
  const m = new RegExp(`\\(typename \\$${name}\\s([\\s\\S]*?)(?=\\(typename |$)`).exec(text);
  if (!m) throw new Error(`no typename $${name}`);
  return m[1]!;
}
/** Enum cases / flags in order: the `$ids` of the body after its `(enum`/`(flags` annotation. */
const members = (text: string, name: string) =>
  [...typenameBody(text, name).replace(/\(@witx [^)]*\)/g, '').matchAll(/\$(\w+)/g)].map((m) => m[1]!);
/** Record fields in order: `(field $name $type-or-builtin)`. */
const fields = (text: string, name: string) =>
  [...typenameBody(text, name).matchAll(/\(field \$(\w+)\s+\$?(\w+)/g)].map((m) => ({ name: m[1]!, type: m[2]! }));

function record(def: AbiTypeDef | undefined) {
  if (def?.kind !== 'record') throw new Error('not a record');
  return { size: def.size, align: def.align, offsets: Object.fromEntries(def.fields.map((f) => [f.name, f.offset])) };
}

const p1Text = witx('preview1/typenames.witx');
const s0Text = witx('snapshot0/typenames.witx');
const epText = witx('ephemeral/typenames.witx');

describe('snapshot0 vs preview1', () => {
  it('filestat: nlink is a u32 linkcount in snapshot0, so the record is 56 bytes', () => {
    expect(/\(typename \$linkcount u32\)/.test(s0Text)).toBe(true);
    expect(/\(typename \$linkcount u64\)/.test(p1Text)).toBe(true);
    expect(fields(s0Text, 'filestat').map((f) => f.name)).toEqual(['dev', 'ino', 'filetype', 'nlink', 'size', 'atim', 'mtim', 'ctim']);
    // dev u64 @0, ino u64 @8, filetype u8 @16, nlink u32 @20, size @24, atim @32, mtim @40, ctim @48
    const s0 = { size: 56, align: 8, offsets: { dev: 0, ino: 8, filetype: 16, nlink: 20, size: 24, atim: 32, mtim: 40, ctim: 48 } };
    expect(record(S0.types.filestat)).toEqual(s0);
    expect(snapshot0Layout.FILESTAT).toMatchObject({ SIZE: 56, ALIGN: 8, nlink: 20, size: 24, ctim: 48 });
    // preview1: nlink u64 @24, everything after moves by 4 -> 64
    const p1 = { size: 64, align: 8, offsets: { dev: 0, ino: 8, filetype: 16, nlink: 24, size: 32, atim: 40, mtim: 48, ctim: 56 } };
    expect(record(P1.types.filestat)).toEqual(p1);
    expect(preview1Layout.FILESTAT).toMatchObject({ SIZE: 64, nlink: 24 });
  });

  it('whence: the generated constants follow each WITX case order', () => {
    const s0Order = members(s0Text, 'whence');
    const p1Order = members(p1Text, 'whence');
    expect(s0Order).toEqual(['cur', 'end', 'set']);
    expect(p1Order).toEqual(['set', 'cur', 'end']);
    expect(snapshot0Types.Whence).toEqual(Object.fromEntries(s0Order.map((n, i) => [n, i])));
    expect(preview1Types.Whence).toEqual(Object.fromEntries(p1Order.map((n, i) => [n, i])));
    expect(snapshot0Types.WhenceNames).toEqual(s0Order);
    expect(ephemeralTypes.Whence).toEqual(Object.fromEntries(members(epText, 'whence').map((n, i) => [n, i])));
  });

  it('subscription_clock has a leading identifier in snapshot0 (40 vs 32 bytes)', () => {
    expect(fields(s0Text, 'subscription_clock').map((f) => f.name)).toEqual(['identifier', 'id', 'timeout', 'precision', 'flags']);
    expect(fields(p1Text, 'subscription_clock').map((f) => f.name)).toEqual(['id', 'timeout', 'precision', 'flags']);
    // identifier u64 @0, id u32 @8, timeout u64 @16, precision u64 @24, flags u16 @32, pad -> 40
    expect(record(S0.types.subscription_clock)).toEqual({
      size: 40,
      align: 8,
      offsets: { identifier: 0, id: 8, timeout: 16, precision: 24, flags: 32 },
    });
    // id u32 @0, timeout @8, precision @16, flags u16 @24, pad -> 32
    expect(record(P1.types.subscription_clock)).toEqual({ size: 32, align: 8, offsets: { id: 0, timeout: 8, precision: 16, flags: 24 } });
  });

  it('subscription: 56 bytes in snapshot0, 48 in preview1 (userdata @0, u @8; union tag @0, payload @8)', () => {
    expect(record(S0.types.subscription)).toEqual({ size: 56, align: 8, offsets: { userdata: 0, u: 8 } });
    expect(record(P1.types.subscription)).toEqual({ size: 48, align: 8, offsets: { userdata: 0, u: 8 } });
    expect(S0.types.subscription_u).toMatchObject({ size: 48, align: 8, tagSize: 1, payloadOffset: 8 });
    expect(P1.types.subscription_u).toMatchObject({ size: 40, align: 8, tagSize: 1, payloadOffset: 8 });
  });

  it('event has the same layout in both: userdata @0, error @8, type @10, fd_readwrite @16, 32 bytes', () => {
    const expected = { size: 32, align: 8, offsets: { userdata: 0, error: 8, type: 10, fd_readwrite: 16 } };
    expect(fields(s0Text, 'event').map((f) => f.name)).toEqual(Object.keys(expected.offsets));
    expect(record(S0.types.event)).toEqual(expected);
    expect(record(P1.types.event)).toEqual(expected);
    // nbytes u64 @0, flags u16 @8 -> 16
    expect(record(S0.types.event_fd_readwrite)).toEqual({ size: 16, align: 8, offsets: { nbytes: 0, flags: 8 } });
  });

  it('rights lacks sock_accept in snapshot0', () => {
    const s0Rights = members(s0Text, 'rights');
    const p1Rights = members(p1Text, 'rights');
    expect(s0Rights).not.toContain('sock_accept');
    expect(p1Rights).toContain('sock_accept');
    expect(Object.keys(snapshot0Types.Rights)).toEqual(s0Rights);
    expect(Object.keys(preview1Types.Rights)).toEqual(p1Rights);
    expect(Object.values(snapshot0Types.Rights)).toEqual(s0Rights.map((_, i) => 1n << BigInt(i)));
  });

  it('no sock_accept function in snapshot0', () => {
    expect(S0.functions.map((f) => f.name)).not.toContain('sock_accept');
    expect(P1.functions.map((f) => f.name)).toContain('sock_accept');
    expect(P1.functions.length - S0.functions.length).toBe(1);
  });
});

describe('ephemeral vs preview1', () => {
  it('dirent: d_type comes before d_namlen', () => {
    expect(fields(epText, 'dirent').map((f) => f.name)).toEqual(['d_next', 'd_ino', 'd_type', 'd_namlen']);
    // d_next u64 @0, d_ino u64 @8, d_type u8 @16, d_namlen u32 @20 -> 24
    expect(record(EP.types.dirent)).toEqual({ size: 24, align: 8, offsets: { d_next: 0, d_ino: 8, d_type: 16, d_namlen: 20 } });
    // preview1: d_namlen u32 @16, d_type u8 @20, pad -> 24
    expect(record(P1.types.dirent)).toEqual({ size: 24, align: 8, offsets: { d_next: 0, d_ino: 8, d_namlen: 16, d_type: 20 } });
    expect(ephemeralLayout.DIRENT).toMatchObject({ d_type: 16, d_namlen: 20 });
  });

  it('event: a tagged event_u variant makes it 40 bytes (32 in preview1)', () => {
    expect(fields(epText, 'event').map((f) => f.name)).toEqual(['userdata', 'error', 'u']);
    // event_u: tag u8 @0, event_fd_readwrite (16, align 8) @8 -> 24
    expect(EP.types.event_u).toMatchObject({ kind: 'variant', size: 24, align: 8, tagSize: 1, payloadOffset: 8 });
    // userdata u64 @0, error u16 @8, u @16 -> 40
    expect(record(EP.types.event)).toEqual({ size: 40, align: 8, offsets: { userdata: 0, error: 8, u: 16 } });
    expect(P1.types.event!.size).toBe(32);
  });

  it('filestat gains a permissions byte after filetype', () => {
    // dev @0, ino @8, filetype u8 @16, permissions u8 @17, nlink u64 @24, size @32, atim @40, mtim @48, ctim @56
    expect(record(EP.types.filestat)).toEqual({
      size: 64,
      align: 8,
      offsets: { dev: 0, ino: 8, filetype: 16, permissions: 17, nlink: 24, size: 32, atim: 40, mtim: 48, ctim: 56 },
    });
  });

  it('errno access (not acces), oflags create (not creat)', () => {
    const epErrno = members(epText, 'errno');
    expect(epErrno).toContain('access');
    expect(members(p1Text, 'errno')).toContain('acces');
    expect(Object.keys(ephemeralTypes.Errno)).toEqual(epErrno);
    expect(ephemeralTypes.Errno.access).toBe(epErrno.indexOf('access'));
    expect('acces' in ephemeralTypes.Errno).toBe(false);
    expect(Object.keys(ephemeralTypes.Oflags)).toEqual(members(epText, 'oflags'));
    expect(ephemeralTypes.Oflags.create).toBe(1 << members(epText, 'oflags').indexOf('create'));
    expect(Object.keys(preview1Types.Oflags)).toContain('creat');
  });

  it('permissions_set exists in the fd and path modules', () => {
    const names = EP.functions.map((f) => `${f.module}.${f.name}`);
    expect(names).toContain('wasi_ephemeral_fd.permissions_set');
    expect(names).toContain('wasi_ephemeral_path.permissions_set');
    expect(P1.functions.some((f) => f.name.includes('permissions_set'))).toBe(false);
    expect(members(epText, 'rights')).toEqual(expect.arrayContaining(['fd_permissions_set', 'path_permissions_set']));
    expect(Object.keys(ephemeralTypes.Rights)).toEqual(members(epText, 'rights'));
  });
});
