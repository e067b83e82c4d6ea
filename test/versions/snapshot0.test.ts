// snapshot0 (`wasi_unstable`) through WAT guests of our own: each difference from preview1 in
// numbering or layout, checked on the bytes the raw import writes. Expected offsets and numbers are
// worked out by hand from ../shared/witx/snapshot0/typenames.witx (C layout rules: each field at
// the next multiple of its alignment, records padded to their largest alignment):
//
//   whence (enum u8):          cur=0, end=1, set=2            (preview1: set=0, cur=1, end=2)
//   filestat (56 bytes):       dev u64@0, ino u64@8, filetype u8@16, nlink u32@20 (linkcount is u32),
//                              size u64@24, atim@32, mtim@40, ctim@48
//                              (preview1, 64 bytes: nlink u64@24, size@32, atim@40, mtim@48, ctim@56)
//   subscription_clock (40):   identifier u64@0, id u32@8, timeout u64@16, precision u64@24, flags u16@32
//   subscription (56):         userdata u64@0, u.tag u8@8, u payload @16 (union aligned to 8)
//   event (32):                userdata u64@0, error u16@8, type u8@10, fd_readwrite{nbytes u64, flags u16}@16
//   fdstat (24):               filetype u8@0, flags u16@2, rights_base u64@8, rights_inheriting u64@16
//   dirent (24):               d_next u64@0, d_ino u64@8, d_namlen u32@16, d_type u8@20 (as preview1)
//   rights:                    29 flags (bits 0..28), no sock_accept (preview1's bit 29)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI } from '../../src/index.js';
import { tempDir } from '../helpers/run-program.js';
import { wat } from '../runtime/harness.js';
import { allBits, FIXED_STAT, FixedStatFs, guest, u64, witxCases, witxEnum, witxFlags, type Sig } from './guest.js';

const U = 'wasi_unstable';
const P = 'wasi_snapshot_preview1';

const ERR = witxEnum('snapshot0', 'errno');
const P1_ERR = witxEnum('preview1', 'errno');
const WHENCE = witxEnum('snapshot0', 'whence');
const P1_WHENCE = witxEnum('preview1', 'whence');
const RIGHTS = witxFlags('snapshot0', 'rights');
const P1_RIGHTS = witxFlags('preview1', 'rights');
const FILETYPE = witxEnum('snapshot0', 'filetype');
const EVENTTYPE = witxEnum('snapshot0', 'eventtype');
const CLOCKID = witxEnum('snapshot0', 'clockid');
const ALL = allBits(RIGHTS);

// Signatures of the raw imports, from wasi_unstable.witx (pointers and sizes i32, u64s i64, small
// enums and flags i32; out-parameters become trailing pointers).
const sigs = (mod: string): Sig[] => [
  [mod, 'path_open', 'i32 i32 i32 i32 i32 i64 i64 i32 i32'],
  [mod, 'fd_seek', 'i32 i64 i32 i32'],
  [mod, 'fd_read', 'i32 i32 i32 i32'],
  [mod, 'fd_close', 'i32'],
  [mod, 'fd_filestat_get', 'i32 i32'],
  [mod, 'path_filestat_get', 'i32 i32 i32 i32 i32'],
  [mod, 'fd_fdstat_get', 'i32 i32'],
  [mod, 'fd_readdir', 'i32 i32 i32 i64 i32'],
  [mod, 'poll_oneoff', 'i32 i32 i32 i32'],
];

// A WAT function of our own: seek, then read one byte; returns the byte, or -errno of the failing call.
const seekRead = (mod: string) => `
  (import "${mod}" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "${mod}" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (func (export "seek_read") (param $fd i32) (param $off i64) (param $whence i32) (result i32) (local $e i32)
    (local.set $e (call $seek (local.get $fd) (local.get $off) (local.get $whence) (i32.const 600)))
    (if (local.get $e) (then (return (i32.sub (i32.const 0) (local.get $e)))))
    (i32.store (i32.const 608) (i32.const 616))
    (i32.store (i32.const 612) (i32.const 1))
    (i32.store8 (i32.const 616) (i32.const 0xee))
    (local.set $e (call $read (local.get $fd) (i32.const 608) (i32.const 1) (i32.const 620)))
    (if (local.get $e) (then (return (i32.sub (i32.const 0) (local.get $e)))))
    (if (i32.eqz (i32.load (i32.const 620))) (then (return (i32.const -1000))))
    (i32.load8_u (i32.const 616)))`;

const CONTENT = 'abcdefghijklmnopqrstuvwxyz';
const host = tempDir('wasi-kit-s0-');
mkdirSync(join(host.path, 'dir'));
writeFileSync(join(host.path, 'f'), CONTENT);
writeFileSync(join(host.path, 'dir', 'one'), '1');
afterAll(() => host.cleanup());

const memFs = () => new MemoryFileSystem({ '/f': CONTENT, '/dir/one': '1' });
// fd 3 is the memory preopen, fd 4 the host directory (preopens are numbered in order).
const options = () => ({ preopens: { '/m': memFs(), '/h': host.path } });

async function open(g: Awaited<ReturnType<typeof guest>>, mod: string, dir: number, path: string, oflags = 0, base?: bigint) {
  const len = g.put(1024, path);
  const all = mod === U ? ALL : allBits(P1_RIGHTS);
  const e = g.call(mod, 'path_open', dir, 1, 1024, len, oflags, base ?? all, all, 0, 16);
  return [e, g.view().getUint32(16, true)] as const;
}

describe('fd_seek whence numbering (snapshot0: cur=0, end=1, set=2)', () => {
  it('the WITX says so', () => {
    expect(WHENCE).toEqual({ cur: 0, end: 1, set: 2 });
    expect(P1_WHENCE).toEqual({ set: 0, cur: 1, end: 2 });
  });

  for (const [label, dir] of [['memory preopen', 3], ['host directory', 4]] as const) {
    it(`${label}: END gives the size, SET then read gives the byte at the offset, CUR moves from there`, async () => {
      const g = await guest('snapshot0', sigs(U), options(), seekRead(U));
      const [e, fd] = await open(g, U, dir, 'f');
      expect(e).toBe(0);
      // Seek to end: the new offset is the size.
      expect(g.call(U, 'fd_seek', fd, 0n, 1, 64)).toBe(0);
      expect(u64(g.view(), 64)).toBe(BigInt(CONTENT.length));
      // SET (2) to 5, then read: 'f'.
      expect(g.exports.seek_read!(fd, 5n, 2)).toBe('f'.charCodeAt(0));
      // Now at 6; CUR (0) +3 -> 9: 'j'.
      expect(g.exports.seek_read!(fd, 3n, 0)).toBe('j'.charCodeAt(0));
      expect(u64(g.view(), 600)).toBe(9n);
      // END (1) -3 -> 23: 'x'.
      expect(g.exports.seek_read!(fd, -3n, 1)).toBe('x'.charCodeAt(0));
      expect(u64(g.view(), 600)).toBe(23n);
      // Whence 3 does not exist.
      expect(g.exports.seek_read!(fd, 0n, 3)).toBe(-ERR.inval!);
      // SET to a negative offset is inval, the position unchanged.
      expect(g.exports.seek_read!(fd, -1n, 2)).toBe(-ERR.inval!);
    });
  }

  it('preview1 with its own numbering (set=0, cur=1, end=2) reaches the same bytes', async () => {
    const g = await guest('preview1', sigs(P), options(), seekRead(P));
    const [e, fd] = await open(g, P, 3, 'f');
    expect(e).toBe(0);
    expect(g.call(P, 'fd_seek', fd, 0n, 2, 64)).toBe(0);
    expect(u64(g.view(), 64)).toBe(BigInt(CONTENT.length));
    expect(g.exports.seek_read!(fd, 5n, 0)).toBe('f'.charCodeAt(0));
    expect(g.exports.seek_read!(fd, 3n, 1)).toBe('j'.charCodeAt(0));
    expect(g.exports.seek_read!(fd, -3n, 2)).toBe('x'.charCodeAt(0));
    // snapshot0's SET (2) means END in preview1: the same call lands elsewhere.
    expect(g.exports.seek_read!(fd, 0n, 2)).toBe(-1000); // at end: read gives 0 bytes
  });

  it('one instance under auto: the same whence value means END under wasi_unstable and SET under preview1', async () => {
    const g = await guest('auto', [...sigs(U), ...sigs(P)], options());
    const [, fd] = await open(g, P, 3, 'f');
    expect(g.call(U, 'fd_seek', fd, 0n, 1, 64)).toBe(0);
    expect(u64(g.view(), 64)).toBe(26n);
    expect(g.call(P, 'fd_seek', fd, 0n, 1, 64)).toBe(0); // preview1 CUR
    expect(u64(g.view(), 64)).toBe(26n);
    expect(g.call(P, 'fd_seek', fd, 4n, 0, 64)).toBe(0); // preview1 SET
    expect(u64(g.view(), 64)).toBe(4n);
    expect(g.call(U, 'fd_seek', fd, 7n, 2, 64)).toBe(0); // snapshot0 SET
    expect(u64(g.view(), 64)).toBe(7n);
    expect(g.call(U, 'fd_seek', fd, 1n, 0, 64)).toBe(0); // snapshot0 CUR
    expect(u64(g.view(), 64)).toBe(8n);
  });
});

describe('filestat: 56 bytes, nlink u32 @20, size @24, times @32/40/48', () => {
  const AT = 256;
  const CANARY = 0xa5;
  const checkS0 = (v: DataView, filetype: number) => {
    expect(u64(v, AT + 0)).toBe(FIXED_STAT.dev);
    expect(u64(v, AT + 8)).toBe(FIXED_STAT.ino);
    expect(v.getUint8(AT + 16)).toBe(filetype);
    expect(v.getUint32(AT + 20, true)).toBe(3);
    expect(u64(v, AT + 24)).toBe(FIXED_STAT.size);
    expect(u64(v, AT + 32)).toBe(FIXED_STAT.atim);
    expect(u64(v, AT + 40)).toBe(FIXED_STAT.mtim);
    expect(u64(v, AT + 48)).toBe(FIXED_STAT.ctim);
  };
  const canaries = (g: Awaited<ReturnType<typeof guest>>, size: number) => {
    expect([...g.bytes(AT - 16, 16)]).toEqual(Array(16).fill(CANARY));
    expect([...g.bytes(AT + size, 32)]).toEqual(Array(32).fill(CANARY));
  };

  it('fd_filestat_get of a file and of the preopen directory', async () => {
    const g = await guest('snapshot0', sigs(U), { preopens: { '/m': new FixedStatFs({ '/f': CONTENT }) } });
    const [e, fd] = await open(g, U, 3, 'f');
    expect(e).toBe(0);
    g.fill(AT - 16, 16 + 56 + 32, CANARY);
    expect(g.call(U, 'fd_filestat_get', fd, AT)).toBe(0);
    checkS0(g.view(), FILETYPE.regular_file!);
    canaries(g, 56);
    g.fill(AT - 16, 16 + 56 + 32, CANARY);
    expect(g.call(U, 'fd_filestat_get', 3, AT)).toBe(0);
    checkS0(g.view(), FILETYPE.directory!);
    canaries(g, 56);
  });

  it('path_filestat_get', async () => {
    const g = await guest('snapshot0', sigs(U), { preopens: { '/m': new FixedStatFs({ '/f': CONTENT }) } });
    const len = g.put(1024, 'f');
    g.fill(AT - 16, 16 + 56 + 32, CANARY);
    expect(g.call(U, 'path_filestat_get', 3, 1, 1024, len, AT)).toBe(0);
    checkS0(g.view(), FILETYPE.regular_file!);
    canaries(g, 56);
  });

  it('preview1, on the same filesystem, writes its 64-byte layout (nlink u64 @24)', async () => {
    const g = await guest('preview1', sigs(P), { preopens: { '/m': new FixedStatFs({ '/f': CONTENT }) } });
    const len = g.put(1024, 'f');
    g.fill(AT - 16, 16 + 64 + 32, CANARY);
    expect(g.call(P, 'path_filestat_get', 3, 1, 1024, len, AT)).toBe(0);
    const v = g.view();
    expect(u64(v, AT + 24)).toBe(3n);
    expect(u64(v, AT + 32)).toBe(FIXED_STAT.size);
    expect(u64(v, AT + 56)).toBe(FIXED_STAT.ctim);
    canaries(g, 64);
  });

  it('host directory file: size @24 is the real size, nlink @20 is 1', async () => {
    const g = await guest('snapshot0', sigs(U), options());
    const len = g.put(1024, 'f');
    g.fill(AT, 56 + 32, CANARY);
    expect(g.call(U, 'path_filestat_get', 4, 1, 1024, len, AT)).toBe(0);
    const v = g.view();
    expect(v.getUint8(AT + 16)).toBe(FILETYPE.regular_file);
    expect(v.getUint32(AT + 20, true)).toBe(1);
    expect(u64(v, AT + 24)).toBe(BigInt(CONTENT.length));
    const mtimMs = Number(u64(v, AT + 40) / 1_000_000n);
    expect(Math.abs(mtimMs - Date.now())).toBeLessThan(10 * 60_000);
    expect([...g.bytes(AT + 56, 32)]).toEqual(Array(32).fill(CANARY));
  });

  it('a link count that does not fit in u32 is overflow, nothing written', async () => {
    const g = await guest('snapshot0', sigs(U), { preopens: { '/m': new FixedStatFs({ '/f': CONTENT }, 1n << 32n) } });
    const len = g.put(1024, 'f');
    g.fill(AT, 56, CANARY);
    expect(g.call(U, 'path_filestat_get', 3, 1, 1024, len, AT)).toBe(ERR.overflow);
    expect([...g.bytes(AT, 56)]).toEqual(Array(56).fill(CANARY));
  });
});

describe('poll_oneoff: 56-byte subscriptions with the clock identifier first, 32-byte events', () => {
  const IN = 1024;
  const OUT = 2048;
  const CANARY = 0x5c;
  const clockSub = (v: DataView, at: number, userdata: bigint, identifier: bigint, id: number, timeout: bigint) => {
    v.setBigUint64(at + 0, userdata, true);
    v.setUint8(at + 8, EVENTTYPE.clock!);
    v.setBigUint64(at + 16, identifier, true); // identifier
    v.setUint32(at + 24, id, true); // id
    v.setBigUint64(at + 32, timeout, true); // timeout
    v.setBigUint64(at + 40, 0n, true); // precision
    v.setUint16(at + 48, 0, true); // flags: relative
  };

  it('a relative 1 ms monotonic clock subscription gives one clock event with its userdata', async () => {
    const g = await guest('snapshot0', sigs(U));
    const v = g.view();
    // A non-zero identifier: read at preview1's offset it would be taken for the clock id (inval).
    clockSub(v, IN, 0x0123456789abcdefn, 0xdeadbeefn, CLOCKID.monotonic!, 1_000_000n);
    g.fill(OUT, 96, CANARY);
    const t0 = process.hrtime.bigint();
    expect(g.call(U, 'poll_oneoff', IN, OUT, 1, 512)).toBe(0);
    expect(process.hrtime.bigint() - t0).toBeGreaterThanOrEqual(900_000n);
    expect(v.getUint32(512, true)).toBe(1);
    expect(u64(v, OUT + 0)).toBe(0x0123456789abcdefn);
    expect(v.getUint16(OUT + 8, true)).toBe(0);
    expect(v.getUint8(OUT + 10)).toBe(EVENTTYPE.clock);
    expect([...g.bytes(OUT + 32, 64)]).toEqual(Array(64).fill(CANARY));
  });

  it('an fd_read subscription (file_descriptor u32 @16) on a regular file gives an fd_read event', async () => {
    const g = await guest('snapshot0', sigs(U), options());
    const [, fd] = await open(g, U, 3, 'f');
    const v = g.view();
    // Subscription 0: a clock far in the future; subscription 1: fd_read on the file (always ready).
    clockSub(v, IN, 1n, 0n, CLOCKID.monotonic!, 60_000_000_000n);
    v.setBigUint64(IN + 56, 0xfeedn, true);
    v.setUint8(IN + 56 + 8, EVENTTYPE.fd_read!);
    v.setUint32(IN + 56 + 16, fd, true);
    g.fill(OUT, 96, CANARY);
    expect(g.call(U, 'poll_oneoff', IN, OUT, 2, 512)).toBe(0);
    expect(v.getUint32(512, true)).toBe(1);
    expect(u64(v, OUT)).toBe(0xfeedn);
    expect(v.getUint16(OUT + 8, true)).toBe(0);
    expect(v.getUint8(OUT + 10)).toBe(EVENTTYPE.fd_read);
    expect(u64(v, OUT + 16)).toBe(BigInt(CONTENT.length)); // nbytes: all of it unread
    expect([...g.bytes(OUT + 32, 32)]).toEqual(Array(32).fill(CANARY));
  });

  it('a clock id that does not exist is inval (by the call or in its event), as under preview1', async () => {
    const g = await guest('auto', [...sigs(U), ...sigs(P)]);
    const v = g.view();
    clockSub(v, IN, 7n, 0n, 99, 0n);
    g.fill(OUT, 32, 0);
    const e = g.call(U, 'poll_oneoff', IN, OUT, 1, 512);
    const s0 = e === 0 ? v.getUint16(OUT + 8, true) : e;
    expect(s0).toBe(ERR.inval);
    // preview1's clock subscription: id u32 @16, timeout @24, precision @32, flags @40.
    v.setUint32(IN + 16, 99, true);
    const e1 = g.call(P, 'poll_oneoff', IN, OUT, 1, 512);
    expect(e1 === 0 ? v.getUint16(OUT + 8, true) : e1).toBe(s0);
    expect(e1).toBe(e);
  });
});

describe('rights: no sock_accept', () => {
  it('the WITX rights end at sock_shutdown (bit 28)', () => {
    expect(witxCases('snapshot0', 'rights')).toHaveLength(29);
    expect(RIGHTS.sock_shutdown).toBe(1n << 28n);
    expect(P1_RIGHTS.sock_accept).toBe(1n << 29n);
  });

  it('fd_fdstat_get never sets bit 29, and otherwise reports preview1 rights bit for bit', async () => {
    const g = await guest('auto', [...sigs(U), ...sigs(P)], options());
    const [, file] = await open(g, P, 3, 'f');
    for (const fd of [0, 1, 2, 3, 4, file]) {
      expect(g.call(U, 'fd_fdstat_get', fd, 64)).toBe(0);
      expect(g.call(P, 'fd_fdstat_get', fd, 128)).toBe(0);
      const v = g.view();
      for (const off of [8, 16]) {
        const s0 = u64(v, 64 + off);
        const p1 = u64(v, 128 + off);
        expect(s0 & ~ALL).toBe(0n);
        expect(s0).toBe(p1 & ALL);
      }
      expect(v.getUint8(64)).toBe(v.getUint8(128));
      expect(v.getUint16(66, true)).toBe(v.getUint16(130, true));
    }
  });

  it('wasi_unstable has no sock_accept import: linking fails', async () => {
    const m = await wat(`(module (import "wasi_unstable" "sock_accept" (func (param i32 i32 i32) (result i32))) (memory (export "memory") 1))`);
    for (const version of ['snapshot0', 'unstable', 'auto'] as const) {
      const wasi = new WASI({ version });
      expect(() => new WebAssembly.Instance(m, wasi.getImportObject() as WebAssembly.Imports)).toThrow(WebAssembly.LinkError);
    }
    expect(Object.keys(new WASI({ version: 'snapshot0' }).getImportObject()[U]!)).not.toContain('sock_accept');
  });
});

describe('errno numbering is preview1\'s', () => {
  it('the WITX lists agree name for name', () => {
    expect(witxCases('snapshot0', 'errno')).toEqual(witxCases('preview1', 'errno'));
  });

  it('badf from fd_close(999), noent from path_open, notdir, inval', async () => {
    const g = await guest('snapshot0', sigs(U), options());
    expect(g.call(U, 'fd_close', 999)).toBe(ERR.badf);
    expect(ERR.badf).toBe(8);
    expect((await open(g, U, 3, 'nope'))[0]).toBe(ERR.noent);
    expect(ERR.noent).toBe(P1_ERR.noent);
    expect((await open(g, U, 3, 'f/x'))[0]).toBe(ERR.notdir);
    expect(g.call(U, 'fd_seek', 3, 0n, 7, 64)).toBe(ERR.inval);
    expect(ERR.inval).toBe(28);
  });
});

describe('fd_readdir: dirent as preview1 (d_namlen u32 @16, d_type u8 @20)', () => {
  it('lists a directory with known names', async () => {
    const g = await guest('snapshot0', sigs(U), options());
    for (const dir of [3, 4]) {
      const [e, fd] = await open(g, U, dir, 'dir', 0b10 /* oflags.directory */, RIGHTS.fd_readdir! | RIGHTS.path_open!);
      expect(e).toBe(0);
      expect(g.call(U, 'fd_readdir', fd, 4096, 1024, 0n, 64)).toBe(0);
      const used = g.view().getUint32(64, true);
      const v = g.view();
      const seen: Record<string, number> = {};
      for (let at = 4096; at + 24 <= 4096 + used; ) {
        const namlen = v.getUint32(at + 16, true);
        const name = Buffer.from(g.bytes(at + 24, namlen)).toString();
        seen[name] = v.getUint8(at + 20);
        at += 24 + namlen;
      }
      expect(seen.one).toBe(FILETYPE.regular_file);
    }
  });
});
