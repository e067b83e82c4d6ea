// The ephemeral phase (`wasi_ephemeral_*`, functions named without their area prefix) through WAT
// guests of our own. Offsets and numbers are worked out by hand from ../shared/witx/ephemeral/
// typenames.witx with C layout rules (fields at the next multiple of their alignment, records and
// unions padded to their largest alignment, a variant's payload after its tag at the payload's
// alignment):
//
//   dirent (24):      d_next u64@0, d_ino u64@8, d_type u8@16, d_namlen u32@20   (preview1: d_namlen@16, d_type@20)
//   filestat (64):    dev@0, ino@8, filetype u8@16, permissions u8@17, nlink u64@24, size@32,
//                     atim@40, mtim@48, ctim@56
//   permissions:      read=1, write=2, execute=4, private=8
//   subscription (48): userdata@0, u.tag u8@8, payload@16;
//                     clock: id u32@16, timeout u64@24, precision u64@32, flags u16@40; fd_readwrite: fd u32@16
//   event (40):       userdata@0, error u16@8, u (variant, align 8)@16: tag u8@16, payload@24
//                     (event_fd_readwrite: nbytes u64@24, flags u16@32); tag values are eventtype's:
//                     clock=0, fd_read=1, fd_write=2 (the variant lists its cases in another order)
//   clockid:          realtime=0, monotonic=1 only
//   oflags:           create=1, directory=2, excl=4, trunc=8
//   errno:            preview1's numbers; `access` (2) is preview1's `acces`
//   rights:           path_permissions_set (bit 21) and fd_permissions_set (bit 25) move the later bits
//   exitcode:         u8
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, ProcExit, WASI } from '../../src/index.js';
import { wat } from '../runtime/harness.js';
import { allBits, FIXED_STAT, FixedStatFs, guest, u64, witxCases, witxEnum, witxFlags, type Sig } from './guest.js';

const FD = 'wasi_ephemeral_fd';
const PATH = 'wasi_ephemeral_path';
const POLL = 'wasi_ephemeral_poll';
const P = 'wasi_snapshot_preview1';

const ERR = witxEnum('ephemeral', 'errno');
const P1_ERR = witxEnum('preview1', 'errno');
const FILETYPE = witxEnum('ephemeral', 'filetype');
const EVENTTYPE = witxEnum('ephemeral', 'eventtype');
const CLOCKID = witxEnum('ephemeral', 'clockid');
const OFLAGS = witxFlags('ephemeral', 'oflags');
const PERMS = witxFlags('ephemeral', 'permissions');
const RIGHTS = witxFlags('ephemeral', 'rights');
const P1_RIGHTS = witxFlags('preview1', 'rights');
const ALL = allBits(RIGHTS);

// From the ephemeral WITX function signatures.
const SIGS: Sig[] = [
  ['wasi_ephemeral_args', 'get', 'i32 i32'],
  ['wasi_ephemeral_args', 'sizes_get', 'i32 i32'],
  ['wasi_ephemeral_environ', 'get', 'i32 i32'],
  ['wasi_ephemeral_environ', 'sizes_get', 'i32 i32'],
  ['wasi_ephemeral_clock', 'res_get', 'i32 i32'],
  ['wasi_ephemeral_clock', 'time_get', 'i32 i64 i32'],
  ['wasi_ephemeral_random', 'get', 'i32 i32'],
  ['wasi_ephemeral_sched', 'yield', ''],
  [FD, 'readdir', 'i32 i32 i32 i64 i32'],
  [FD, 'filestat_get', 'i32 i32'],
  [FD, 'fdstat_get', 'i32 i32'],
  [FD, 'permissions_set', 'i32 i32'],
  [FD, 'write', 'i32 i32 i32 i32'],
  [FD, 'read', 'i32 i32 i32 i32'],
  [FD, 'close', 'i32'],
  [PATH, 'open', 'i32 i32 i32 i32 i32 i64 i64 i32 i32 i32'],
  [PATH, 'filestat_get', 'i32 i32 i32 i32 i32'],
  [PATH, 'permissions_set', 'i32 i32 i32 i32 i32'],
  [POLL, 'oneoff', 'i32 i32 i32 i32'],
];
const P1_SIGS: Sig[] = [
  [P, 'fd_readdir', 'i32 i32 i32 i64 i32'],
  [P, 'fd_fdstat_get', 'i32 i32'],
  [P, 'path_open', 'i32 i32 i32 i32 i32 i64 i64 i32 i32'],
];

type G = Awaited<ReturnType<typeof guest>>;

function open(g: G, dir: number, path: string, opts: { oflags?: number; base?: bigint; perms?: number } = {}) {
  const len = g.put(1024, path);
  const e = g.call(PATH, 'open', dir, 1, 1024, len, opts.oflags ?? 0, opts.base ?? ALL, ALL, 0, opts.perms ?? 0, 16);
  return [e, g.view().getUint32(16, true)] as const;
}

/** The entries of a readdir buffer, decoding the dirent header with the given field offsets. */
function dirents(g: G, at: number, used: number, namlenAt: number, typeAt: number) {
  const v = g.view();
  const out: { name: string; type: number; next: bigint; ino: bigint }[] = [];
  for (let p = at; p + 24 <= at + used; ) {
    const namlen = v.getUint32(p + namlenAt, true);
    out.push({ name: Buffer.from(g.bytes(p + 24, namlen)).toString(), type: v.getUint8(p + typeAt), next: u64(v, p), ino: u64(v, p + 8) });
    p += 24 + namlen;
  }
  return out;
}

describe('the WITX facts these tests rest on', () => {
  it('numbering', () => {
    expect(ERR.access).toBe(2);
    expect(P1_ERR.acces).toBe(2);
    expect(witxCases('ephemeral', 'errno').filter((n) => n !== 'access')).toEqual(witxCases('preview1', 'errno').filter((n) => n !== 'acces'));
    expect(CLOCKID).toEqual({ realtime: 0, monotonic: 1 });
    expect(EVENTTYPE).toEqual({ clock: 0, fd_read: 1, fd_write: 2 });
    expect(OFLAGS.create).toBe(1n);
    expect(PERMS).toEqual({ read: 1n, write: 2n, execute: 4n, private: 8n });
    expect(RIGHTS.path_permissions_set).toBe(1n << 21n);
    expect(RIGHTS.fd_permissions_set).toBe(1n << 25n);
    expect(RIGHTS.fd_filestat_get).toBe(1n << 22n);
    expect(P1_RIGHTS.fd_filestat_get).toBe(1n << 21n);
  });
});

describe('fd.readdir: d_type u8 @16 before d_namlen u32 @20', () => {
  it('lists known names with their types, the same entries preview1 lists in its own layout', async () => {
    const fs = new MemoryFileSystem({ '/dir/a.txt': 'a', '/dir/sub/x': 'x', '/dir/longer-name.bin': 'bb' });
    const g = await guest('auto', [...SIGS, ...P1_SIGS], { preopens: { '/m': fs } });
    const [e, dir] = open(g, 3, 'dir', { oflags: Number(OFLAGS.directory), base: RIGHTS.fd_readdir! });
    expect(e).toBe(0);
    g.fill(4096, 2048, 0xcc);
    expect(g.call(FD, 'readdir', dir, 4096, 1024, 0n, 64)).toBe(0);
    const used = g.view().getUint32(64, true);
    expect([...g.bytes(4096 + used, 16)]).toEqual(Array(16).fill(0xcc));
    const eph = dirents(g, 4096, used, 20, 16);
    const byName = Object.fromEntries(eph.map((d) => [d.name, d.type]));
    expect(byName['a.txt']).toBe(FILETYPE.regular_file);
    expect(byName['longer-name.bin']).toBe(FILETYPE.regular_file);
    expect(byName.sub).toBe(FILETYPE.directory);
    // preview1 on the same directory: the same entries, d_namlen @16 and d_type @20.
    expect(g.call(P, 'fd_readdir', dir, 8192, 1024, 0n, 64)).toBe(0);
    expect(g.view().getUint32(64, true)).toBe(used);
    expect(dirents(g, 8192, used, 16, 20)).toEqual(eph);
  });

  it('a buffer too small for all entries is filled to its end, a later cookie resumes', async () => {
    const fs = new MemoryFileSystem({ '/dir/aaaa': '', '/dir/bbbb': '', '/dir/cccc': '' });
    const g = await guest('ephemeral', SIGS, { preopens: { '/m': fs } });
    const [, dir] = open(g, 3, 'dir', { oflags: Number(OFLAGS.directory), base: RIGHTS.fd_readdir! });
    g.fill(4096, 256, 0xcc);
    expect(g.call(FD, 'readdir', dir, 4096, 40, 0n, 64)).toBe(0);
    expect(g.view().getUint32(64, true)).toBe(40);
    expect(g.bytes(4096 + 40, 1)[0]).toBe(0xcc);
    const first = u64(g.view(), 4096); // d_next of the first entry
    expect(g.call(FD, 'readdir', dir, 4096, 1024, first, 64)).toBe(0);
    const rest = dirents(g, 4096, g.view().getUint32(64, true), 20, 16);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((d) => d.type === FILETYPE.regular_file || d.type === FILETYPE.directory)).toBe(true);
  });
});

describe('filestat: 64 bytes with permissions u8 @17', () => {
  const AT = 256;
  const CANARY = 0xa5;
  const check = (g: G, filetype: number) => {
    const v = g.view();
    expect(u64(v, AT)).toBe(FIXED_STAT.dev);
    expect(u64(v, AT + 8)).toBe(FIXED_STAT.ino);
    expect(v.getUint8(AT + 16)).toBe(filetype);
    expect(v.getUint8(AT + 17)).toBe(Number(PERMS.read! | PERMS.write!));
    expect(u64(v, AT + 24)).toBe(FIXED_STAT.nlink);
    expect(u64(v, AT + 32)).toBe(FIXED_STAT.size);
    expect(u64(v, AT + 40)).toBe(FIXED_STAT.atim);
    expect(u64(v, AT + 48)).toBe(FIXED_STAT.mtim);
    expect(u64(v, AT + 56)).toBe(FIXED_STAT.ctim);
    expect([...g.bytes(AT - 16, 16)]).toEqual(Array(16).fill(CANARY));
    expect([...g.bytes(AT + 64, 32)]).toEqual(Array(32).fill(CANARY));
  };

  it('fd.filestat_get of a file and of the preopen', async () => {
    const g = await guest('ephemeral', SIGS, { preopens: { '/m': new FixedStatFs({ '/f': 'content' }) } });
    const [e, fd] = open(g, 3, 'f');
    expect(e).toBe(0);
    g.fill(AT - 16, 16 + 64 + 32, CANARY);
    expect(g.call(FD, 'filestat_get', fd, AT)).toBe(0);
    check(g, FILETYPE.regular_file!);
    g.fill(AT - 16, 16 + 64 + 32, CANARY);
    expect(g.call(FD, 'filestat_get', 3, AT)).toBe(0);
    check(g, FILETYPE.directory!);
  });

  it('path.filestat_get', async () => {
    const g = await guest('ephemeral', SIGS, { preopens: { '/m': new FixedStatFs({ '/d/f': 'content' }) } });
    const len = g.put(1024, 'd/f');
    g.fill(AT - 16, 16 + 64 + 32, CANARY);
    expect(g.call(PATH, 'filestat_get', 3, 1, 1024, len, AT)).toBe(0);
    check(g, FILETYPE.regular_file!);
  });

  it('a real file: size @32', async () => {
    const g = await guest('ephemeral', SIGS, { preopens: { '/m': new MemoryFileSystem({ '/f': '12345' }) } });
    const len = g.put(1024, 'f');
    expect(g.call(PATH, 'filestat_get', 3, 1, 1024, len, AT)).toBe(0);
    expect(u64(g.view(), AT + 24)).toBe(1n);
    expect(u64(g.view(), AT + 32)).toBe(5n);
  });
});

describe('poll.oneoff: 48-byte subscriptions, 40-byte events with the variant tag @16 and payload @24', () => {
  const IN = 1024;
  const OUT = 2048;
  const CANARY = 0x5c;

  it('a relative 1 ms clock subscription: tag clock, userdata back', async () => {
    const g = await guest('ephemeral', SIGS);
    const v = g.view();
    v.setBigUint64(IN, 0x0123456789abcdefn, true);
    v.setUint8(IN + 8, EVENTTYPE.clock!);
    v.setUint32(IN + 16, CLOCKID.monotonic!, true);
    v.setBigUint64(IN + 24, 1_000_000n, true);
    v.setBigUint64(IN + 32, 0n, true);
    v.setUint16(IN + 40, 0, true);
    g.fill(OUT, 120, CANARY);
    const t0 = process.hrtime.bigint();
    expect(g.call(POLL, 'oneoff', IN, OUT, 1, 512)).toBe(0);
    expect(process.hrtime.bigint() - t0).toBeGreaterThanOrEqual(900_000n);
    expect(v.getUint32(512, true)).toBe(1);
    expect(u64(v, OUT)).toBe(0x0123456789abcdefn);
    expect(v.getUint16(OUT + 8, true)).toBe(0);
    expect(v.getUint8(OUT + 16)).toBe(EVENTTYPE.clock);
    expect([...g.bytes(OUT + 40, 80)]).toEqual(Array(80).fill(CANARY));
  });

  it('an fd_read subscription (field `fd` u32 @16) on a file: tag fd_read @16, nbytes @24', async () => {
    const g = await guest('ephemeral', SIGS, { preopens: { '/m': new MemoryFileSystem({ '/f': '0123456789' }) } });
    const [, fd] = open(g, 3, 'f');
    const v = g.view();
    // 0: a clock an hour away; 1: fd_read on the file (a regular file is always ready).
    v.setBigUint64(IN, 1n, true);
    v.setUint8(IN + 8, EVENTTYPE.clock!);
    v.setUint32(IN + 16, CLOCKID.monotonic!, true);
    v.setBigUint64(IN + 24, 3_600_000_000_000n, true);
    v.setBigUint64(IN + 48, 0xfeedn, true);
    v.setUint8(IN + 48 + 8, EVENTTYPE.fd_read!);
    v.setUint32(IN + 48 + 16, fd, true);
    g.fill(OUT, 120, CANARY);
    expect(g.call(POLL, 'oneoff', IN, OUT, 2, 512)).toBe(0);
    expect(v.getUint32(512, true)).toBe(1);
    expect(u64(v, OUT)).toBe(0xfeedn);
    expect(v.getUint16(OUT + 8, true)).toBe(0);
    expect(v.getUint8(OUT + 16)).toBe(EVENTTYPE.fd_read);
    expect(u64(v, OUT + 24)).toBe(10n);
    expect(v.getUint16(OUT + 32, true)).toBe(0);
    expect([...g.bytes(OUT + 40, 80)]).toEqual(Array(80).fill(CANARY));
  });

  it('an fd_write subscription on stdout: tag fd_write (2)', async () => {
    const g = await guest('ephemeral', SIGS);
    const v = g.view();
    v.setBigUint64(IN, 9n, true);
    v.setUint8(IN + 8, EVENTTYPE.fd_write!);
    v.setUint32(IN + 16, 1, true);
    expect(g.call(POLL, 'oneoff', IN, OUT, 1, 512)).toBe(0);
    expect(v.getUint32(512, true)).toBe(1);
    expect(u64(v, OUT)).toBe(9n);
    expect(v.getUint8(OUT + 16)).toBe(EVENTTYPE.fd_write);
  });

  it('a clock id ephemeral lacks (2, preview1 process_cputime_id) is inval', async () => {
    const g = await guest('ephemeral', SIGS);
    const v = g.view();
    v.setBigUint64(IN, 3n, true);
    v.setUint8(IN + 8, EVENTTYPE.clock!);
    v.setUint32(IN + 16, 2, true);
    v.setBigUint64(IN + 24, 0n, true);
    g.fill(OUT, 40, 0);
    const e = g.call(POLL, 'oneoff', IN, OUT, 1, 512);
    expect(e === 0 ? v.getUint16(OUT + 8, true) : e).toBe(ERR.inval);
  });
});

describe('path.open: the extra permissions parameter, oflags create', () => {
  it('creates a file (create = 1) with permissions read|write, writes through it', async () => {
    const fs = new MemoryFileSystem({});
    const g = await guest('ephemeral', SIGS, { preopens: { '/m': fs } });
    const [e, fd] = open(g, 3, 'new.txt', { oflags: Number(OFLAGS.create), perms: Number(PERMS.read! | PERMS.write!) });
    expect(e).toBe(0);
    const len = g.put(2048, 'hello');
    g.view().setUint32(32, 2048, true);
    g.view().setUint32(36, len, true);
    expect(g.call(FD, 'write', fd, 32, 1, 40)).toBe(0);
    expect(g.view().getUint32(40, true)).toBe(5);
    expect(g.call(FD, 'close', fd)).toBe(0);
    expect(Buffer.from(fs.toFiles()['/new.txt']!).toString()).toBe('hello');
    // create|excl on the existing file: exist.
    expect(open(g, 3, 'new.txt', { oflags: Number(OFLAGS.create! | OFLAGS.excl!) })[0]).toBe(ERR.exist);
    // Without create, a missing file: noent.
    expect(open(g, 3, 'missing')[0]).toBe(ERR.noent);
  });

  it('the permissions argument sits after fdflags: the out-pointer is the tenth parameter', async () => {
    const g = await guest('ephemeral', SIGS, { preopens: { '/m': new MemoryFileSystem({ '/f': 'x' }) } });
    const len = g.put(1024, 'f');
    g.view().setUint32(16, 0xffffffff, true);
    g.view().setUint32(20, 0xffffffff, true);
    // permissions = 16 (an unused address if misread as the out-pointer), retptr = 20.
    expect(g.call(PATH, 'open', 3, 1, 1024, len, 0, ALL, ALL, 0, 0, 20)).toBe(0);
    expect(g.view().getUint32(16, true)).toBe(0xffffffff);
    expect(g.view().getUint32(20, true)).toBeGreaterThan(3);
  });
});

describe('errno: access (2)', () => {
  it('a filesystem refusing access gives errno 2 under both names', async () => {
    const g = await guest('auto', [...SIGS, ...P1_SIGS], { preopens: { '/m': new FixedStatFs({ '/f': 'x' }) } });
    expect(open(g, 3, 'denied')[0]).toBe(ERR.access);
    const len = g.put(1024, 'denied');
    expect(g.call(P, 'path_open', 3, 1, 1024, len, 0, 0n, 0n, 0, 16)).toBe(P1_ERR.acces);
  });
});

describe('permissions_set: notsup', () => {
  it('fd.permissions_set and path.permissions_set', async () => {
    const g = await guest('ephemeral', SIGS, { preopens: { '/m': new MemoryFileSystem({ '/f': 'x' }) } });
    const [, fd] = open(g, 3, 'f');
    expect(g.call(FD, 'permissions_set', fd, Number(PERMS.read))).toBe(ERR.notsup);
    const len = g.put(1024, 'f');
    expect(g.call(PATH, 'permissions_set', 3, 1, 1024, len, Number(PERMS.read))).toBe(ERR.notsup);
    expect(g.call(FD, 'permissions_set', 99, 1)).toBe(ERR.badf);
  });
});

describe('rights in ephemeral numbering', () => {
  it('fd.fdstat_get reports, bit by bit, the rights preview1 reports under the same names', async () => {
    const g = await guest('auto', [...SIGS, ...P1_SIGS], { preopens: { '/m': new MemoryFileSystem({ '/f': 'x' }) } });
    const [, file] = open(g, 3, 'f');
    for (const fd of [0, 1, 2, 3, file]) {
      expect(g.call(FD, 'fdstat_get', fd, 64)).toBe(0);
      expect(g.call(P, 'fd_fdstat_get', fd, 128)).toBe(0);
      const v = g.view();
      for (const off of [8, 16]) {
        const eph = u64(v, 64 + off);
        const p1 = u64(v, 128 + off);
        const expected = Object.entries(RIGHTS).reduce((acc, [name, bit]) => ((P1_RIGHTS[name] ?? 0n) & p1 ? acc | bit : acc), 0n);
        expect(eph.toString(2)).toBe(expected.toString(2));
      }
    }
    // A file has fd_filestat_get: bit 22 here (21 in preview1).
    expect(g.call(FD, 'fdstat_get', file, 64)).toBe(0);
    expect(u64(g.view(), 72) & RIGHTS.fd_filestat_get!).toBe(RIGHTS.fd_filestat_get);
  });

  it('path.open takes its rights in ephemeral numbering: asking for fd_filestat_get (bit 22) only still allows filestat_get', async () => {
    const g = await guest('ephemeral', SIGS, { preopens: { '/m': new MemoryFileSystem({ '/f': 'x' }) } });
    const [e, fd] = open(g, 3, 'f', { base: RIGHTS.fd_filestat_get! });
    expect(e).toBe(0);
    expect(g.call(FD, 'filestat_get', fd, 256)).toBe(0);
    expect(g.call(FD, 'read', fd, 32, 0, 40)).toBe(ERR.notcapable);
  });
});

describe('args, environ, clock, random, proc, sched', () => {
  const ARGS = ['prog', 'ä✓', ''];
  const ENV = { K: 'välue', E: '' };
  const opts = { args: ARGS, env: ENV, random: (into: Uint8Array) => into.forEach((_, i) => (into[i] = (i * 7 + 1) & 0xff)) };

  it('args.sizes_get / args.get', async () => {
    const g = await guest('ephemeral', SIGS, opts);
    expect(g.call('wasi_ephemeral_args', 'sizes_get', 16, 20)).toBe(0);
    const bytes = ARGS.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
    expect([g.view().getUint32(16, true), g.view().getUint32(20, true)]).toEqual([3, bytes]);
    expect(g.call('wasi_ephemeral_args', 'get', 64, 128)).toBe(0);
    const ptrs = [0, 1, 2].map((i) => g.view().getUint32(64 + 4 * i, true));
    expect(ptrs[0]).toBe(128);
    expect(Buffer.from(g.bytes(128, bytes)).toString()).toBe(ARGS.map((a) => `${a}\0`).join(''));
    expect(ptrs.map((p) => Buffer.from(g.bytes(p, Buffer.byteLength(ARGS[ptrs.indexOf(p)]!))).toString())).toEqual(ARGS);
  });

  it('environ.sizes_get / environ.get', async () => {
    const g = await guest('ephemeral', SIGS, opts);
    const list = Object.entries(ENV).map(([k, v]) => `${k}=${v}`);
    const bytes = list.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
    expect(g.call('wasi_ephemeral_environ', 'sizes_get', 16, 20)).toBe(0);
    expect([g.view().getUint32(16, true), g.view().getUint32(20, true)]).toEqual([2, bytes]);
    expect(g.call('wasi_ephemeral_environ', 'get', 64, 128)).toBe(0);
    expect(g.view().getUint32(64, true)).toBe(128);
    expect(Buffer.from(g.bytes(128, bytes)).toString()).toBe(list.map((a) => `${a}\0`).join(''));
  });

  it('clock.time_get: realtime (0) and monotonic (1) exist, 2 and 3 are inval', async () => {
    const g = await guest('ephemeral', SIGS);
    expect(g.call('wasi_ephemeral_clock', 'time_get', CLOCKID.realtime!, 0n, 16)).toBe(0);
    expect(Math.abs(Number(u64(g.view(), 16) / 1_000_000n) - Date.now())).toBeLessThan(60_000);
    expect(g.call('wasi_ephemeral_clock', 'time_get', CLOCKID.monotonic!, 0n, 16)).toBe(0);
    const m1 = u64(g.view(), 16);
    expect(g.call('wasi_ephemeral_clock', 'time_get', CLOCKID.monotonic!, 0n, 16)).toBe(0);
    expect(u64(g.view(), 16)).toBeGreaterThanOrEqual(m1);
    g.fill(32, 8, 0xcc);
    for (const id of [2, 3, 4]) {
      expect(g.call('wasi_ephemeral_clock', 'time_get', id, 0n, 32)).toBe(ERR.inval);
      expect(g.call('wasi_ephemeral_clock', 'res_get', id, 32)).toBe(ERR.inval);
    }
    expect([...g.bytes(32, 8)]).toEqual(Array(8).fill(0xcc));
    expect(g.call('wasi_ephemeral_clock', 'res_get', CLOCKID.monotonic!, 32)).toBe(0);
    expect(u64(g.view(), 32)).toBeGreaterThan(0n);
  });

  it('random.get fills exactly the buffer', async () => {
    const g = await guest('ephemeral', SIGS, opts);
    g.fill(96, 64, 0xcc);
    expect(g.call('wasi_ephemeral_random', 'get', 100, 20)).toBe(0);
    expect([...g.bytes(100, 20)]).toEqual(Array.from({ length: 20 }, (_, i) => (i * 7 + 1) & 0xff));
    expect([...g.bytes(96, 4)]).toEqual([0xcc, 0xcc, 0xcc, 0xcc]);
    expect([...g.bytes(120, 40)]).toEqual(Array(40).fill(0xcc));
  });

  it('sched.yield succeeds', async () => {
    const g = await guest('ephemeral', SIGS);
    expect(g.call('wasi_ephemeral_sched', 'yield')).toBe(0);
  });

  const exitProgram = (code: number) =>
    wat(`(module (import "wasi_ephemeral_proc" "exit" (func $exit (param i32))) (memory (export "memory") 1)
      (func (export "_start") (call $exit (i32.const ${code})) unreachable))`);

  it.each([0, 1, 7, 255])('proc.exit(%i) from _start is the exit code start() returns', async (code) => {
    const wasi = new WASI({ version: 'ephemeral' });
    const instance = new WebAssembly.Instance(await exitProgram(code), wasi.getImportObject() as WebAssembly.Imports);
    expect(wasi.start(instance)).toBe(code);
  });

  it('proc.exit called from a reactor export throws ProcExit with the code', async () => {
    const g = await guest('ephemeral', [['wasi_ephemeral_proc', 'exit', 'i32', false]]);
    let thrown: unknown;
    try {
      g.call('wasi_ephemeral_proc', 'exit', 42);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ProcExit);
    expect((thrown as ProcExit).exitCode).toBe(42);
  });

  // exitcode is u8 in ephemeral: 256 is the guest's mistake, and a call that returns no errno can
  // only trap on it (as wasmtime does), never blame the host.
  it('proc.exit(256), out of u8 range, traps instead of a host error', async () => {
    const wasi = new WASI({ version: 'ephemeral' });
    const instance = new WebAssembly.Instance(await exitProgram(256), wasi.getImportObject() as WebAssembly.Imports);
    let thrown: unknown;
    try {
      wasi.start(instance);
    } catch (e) {
      thrown = e;
    }
    expect((thrown as Error | undefined)?.name).not.toBe('WasiHostError');
    expect(thrown).toBeInstanceOf(WebAssembly.RuntimeError);
  });
});
