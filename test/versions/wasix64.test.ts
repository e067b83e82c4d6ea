// wasix_64v1: the 64-bit WASIX namespace (pointers and `usize` are i64 arguments and 8 bytes in
// memory), served by the same handlers as wasix_32v1. Node 20 compiles a memory64 module only with
// --experimental-wasm-memory64, which vitest's workers do not have: the guest here is a WAT module with
// a 32-bit memory that imports the wasix_64v1 functions with i64 pointer parameters, which exercises
// exactly what differs (the shims' i64 pointers and the 8-byte pointers inside records). One call per
// kind of type: string, iovec list, out-pointer record, u64, pointer in a record; bad pointers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI } from '../../src/index.js';
import { wat } from '../runtime/harness.js';
import { WITX_DIR, forwardingWat, guest, wasixCases, wasixEnum, witxEnum, type Sig } from './guest.js';

const E = wasixEnum('errno');
const FILETYPE = witxEnum('preview1', 'filetype');
const need = (x: number | undefined): number => {
  if (x === undefined) throw new Error('missing from the WITX');
  return x;
};
const CLOCK = witxEnum('preview1', 'clockid');
const EPOLLIN = 1 << wasixCases('epoll_type', 'flags').indexOf('epollin');
const CTL = wasixEnum('epoll_ctl');
const W = 'wasix_64v1';
/** A pointer with high bits set: no memory a host maps reaches it. */
const HIGH = 1n << 60n;
/** Just past the guest's one page. */
const PAST = 65536n;

const SIGS: Sig[] = [
  [W, 'args_sizes_get', 'i64 i64'],
  [W, 'args_get', 'i64 i64'],
  [W, 'fd_write', 'i32 i64 i64 i64'],
  [W, 'fd_read', 'i32 i64 i64 i64'],
  [W, 'fd_fdstat_get', 'i32 i64'],
  [W, 'clock_time_get', 'i32 i64 i64'],
  [W, 'path_create_directory', 'i32 i64 i64'],
  [W, 'path_filestat_get', 'i32 i32 i64 i64 i64'],
  [W, 'getcwd', 'i64 i64'],
  [W, 'chdir', 'i64 i64'],
  [W, 'fd_event', 'i64 i32 i64'],
  [W, 'epoll_create', 'i64'],
  [W, 'epoll_ctl', 'i32 i32 i32 i64'],
  [W, 'epoll_wait', 'i32 i64 i32 i64 i64'], // maxevents is a $size: u32 even here
  [W, 'thread_spawn_v2', 'i64 i64'],
  [W, 'sock_send_to', 'i32 i64 i64 i32 i64 i64'],
  [W, 'proc_spawn2', 'i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i32 i64 i64 i64'],
];

async function guest64(fs = new MemoryFileSystem({ '/f': 'hello' })) {
  const out: Uint8Array[] = [];
  const g = await guest('auto', SIGS, { args: ['prog', 'ä', 'last'], preopens: { '/m': fs }, stdout: (b) => out.push(b.slice()) });
  const call = (name: string, ...a: (number | bigint)[]) => g.call(W, name, ...a);
  const stdout = () => Buffer.concat(out).toString();
  return { ...g, fs, call, stdout };
}

describe('wasix_64v1: served, found by versionOf', () => {
  it("'auto' serves it, and versionOf names a module importing it 'wasix64'", async () => {
    const g = await guest64();
    expect(Object.keys(g.wasi.getImportObject())).toContain(W);
    const module = await wat(forwardingWat(SIGS.slice(0, 1)));
    expect(WASI.versionOf(module)).toBe('wasix64');
  });

  it('carries every preview1 function and the WASIX extensions of wasix_32v1 (not its 2023 forms)', async () => {
    const g = await guest64();
    const imports = g.wasi.getImportObject();
    const ours = Object.keys(imports[W]!);
    for (const name of Object.keys(imports.wasi_snapshot_preview1!)) expect(ours).toContain(name);
    for (const name of ours) expect(Object.keys(imports.wasix_32v1!)).toContain(name);
    // preview1's 46 and WASIX's extensions of the WITX, read from the text.
    const witx = readFileSync(join(WITX_DIR, 'wasix', 'wasix_v1.witx'), 'utf8').replace(/;;.*$/gm, '');
    const extensions = [...witx.matchAll(/\(@interface func \(export "(\w+)"\)/g)].map((x) => x[1]!);
    expect(new Set(ours)).toEqual(new Set([...Object.keys(imports.wasi_snapshot_preview1!), ...extensions]));
  });
});

describe('wasix_64v1: one call per kind of type', () => {
  it('strings: (i64 ptr, i64 len) paths', async () => {
    const g = await guest64();
    const n = g.put(256, 'made');
    expect(g.call('path_create_directory', 3, 256n, BigInt(n))).toBe(0);
    expect(statKind(g, 'made')).toBe('directory');
  });

  it('iovec lists: 16-byte (u64 buf, u64 buf_len) ciovecs and iovecs', async () => {
    const g = await guest64();
    const v = g.view();
    const a = g.put(1024, 'one ');
    const b = g.put(1100, 'two\n');
    v.setBigUint64(512, 1024n, true);
    v.setBigUint64(520, BigInt(a), true);
    v.setBigUint64(528, 1100n, true);
    v.setBigUint64(536, BigInt(b), true);
    g.fill(600, 8, 0xee);
    expect(g.call('fd_write', 1, 512n, 2n, 600n)).toBe(0);
    expect(g.stdout()).toBe('one two\n');
    // *nwritten is a $size: u32, as the WITX says, the next four bytes untouched.
    expect(v.getUint32(600, true)).toBe(8);
    expect(v.getUint32(604, true)).toBe(0xeeeeeeee);
  });

  it('out-pointer records: fdstat at an i64 address', async () => {
    const g = await guest64();
    g.fill(2048, 24, 0xee);
    expect(g.call('fd_fdstat_get', 3, 2048n)).toBe(0);
    expect(g.view().getUint8(2048)).toBe(FILETYPE.directory);
  });

  it('u64: clock_time_get takes an u64 precision and writes an u64 timestamp', async () => {
    const g = await guest64();
    g.fill(2048, 8, 0);
    expect(g.call('clock_time_get', need(CLOCK.realtime), 0xffff_ffff_ffff_ffffn, 2048n)).toBe(0);
    const ns = g.view().getBigUint64(2048, true);
    expect(Number(ns / 1_000_000n)).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it('pointers in records: argv is an array of 8-byte pointers', async () => {
    const g = await guest64();
    g.fill(512, 64, 0xee);
    expect(g.call('args_sizes_get', 512n, 520n)).toBe(0);
    const v = g.view();
    // argc and the buffer size are $size (u32).
    const [argc, size] = [v.getUint32(512, true), v.getUint32(520, true)];
    expect([argc, size]).toEqual([3, 'prog\0ä\0last\0'.length + 1]);
    g.fill(1024, 64, 0xee);
    expect(g.call('args_get', 1024n, 2048n)).toBe(0);
    const ptrs = [0, 1, 2].map((i) => v.getBigUint64(1024 + i * 8, true));
    const text = (p: bigint) => {
      const bytes = g.bytes(Number(p), 16);
      return Buffer.from(bytes.subarray(0, bytes.indexOf(0))).toString();
    };
    expect(ptrs.map(text)).toEqual(['prog', 'ä', 'last']);
    expect(v.getUint32(1024 + 24, true)).toBe(0xeeeeeeee);
  });

  it("pointers in records: getcwd's *path_len is 8 bytes", async () => {
    const g = await guest64();
    expect(g.call('chdir', 256n, BigInt(g.put(256, '/m')))).toBe(0);
    g.fill(1024, 16, 0xee);
    g.view().setBigUint64(16, 64n, true);
    expect(g.call('getcwd', 1024n, 16n)).toBe(0);
    expect(g.view().getBigUint64(16, true)).toBe(2n);
    expect(Buffer.from(g.bytes(1024, 3)).toString()).toBe('/m\0');
  });

  it("pointers in records: epoll_event's data.ptr is 8 bytes (fd at 16, data1 at 20, data2 at 24)", async () => {
    const g = await guest64();
    const v = g.view();
    expect(g.call('fd_event', 1n, 0, 16n)).toBe(0);
    const efd = v.getUint32(16, true);
    expect(g.call('epoll_create', 24n)).toBe(0);
    const ep = v.getUint32(24, true);
    v.setUint32(2048, EPOLLIN, true);
    v.setBigUint64(2056, 0x1234_5678_9abcn, true);
    v.setUint32(2064, efd, true);
    v.setUint32(2068, 77, true);
    v.setBigUint64(2072, 99n, true);
    expect(g.call('epoll_ctl', ep, need(CTL.add), efd, 2048n)).toBe(0);
    g.fill(4096, 64, 0xee);
    expect(g.call('epoll_wait', ep, 4096n, 2, 0n, 32n)).toBe(0);
    expect(v.getUint32(32, true)).toBe(1);
    expect([v.getUint32(4096, true) & EPOLLIN, v.getBigUint64(4104, true), v.getUint32(4112, true), v.getUint32(4116, true), v.getBigUint64(4120, true)]).toEqual([
      EPOLLIN,
      0x1234_5678_9abcn,
      efd,
      77,
      99n,
    ]);
  });

  it('thread_spawn_v2 answers notsup: wasi-kit runs no wasm64 threads', async () => {
    const g = await guest64();
    expect(g.call('thread_spawn_v2', 0n, 16n)).toBe(E.notsup);
  });

  it('sock_send_to answers notsup: the WASIX socket code reads iovecs at wasm32 layout', async () => {
    const g = await guest64();
    expect(g.call('sock_send_to', 1, 512n, 0n, 0, 1024n, 16n)).toBe(E.notsup);
  });

  it('proc_spawn2 answers notsup: its file actions hold pointers read at wasm32 layout', async () => {
    const g = await guest64();
    const n = BigInt(g.put(256, 'prog'));
    expect(g.call('proc_spawn2', 256n, n, 256n, 0n, 256n, 0n, 512n, 0n, 512n, 0n, 0, 256n, 0n, 16n)).toBe(E.notsup);
  });
});

describe('wasix_64v1: bad pointers are fault, with nothing written', () => {
  it('an argument pointer with high bits set, or past memory', async () => {
    const g = await guest64();
    const v = g.view();
    for (const bad of [HIGH, -8n, PAST, PAST + 8n]) {
      g.fill(512, 16, 0xee);
      expect(g.call('args_sizes_get', bad, 520n), String(bad)).toBe(E.fault);
      expect(g.call('args_sizes_get', 512n, bad), String(bad)).toBe(E.fault);
      expect(g.bytes(512, 16).every((b) => b === 0xee)).toBe(true);
      expect(g.call('fd_fdstat_get', 3, bad)).toBe(E.fault);
      expect(g.call('path_create_directory', 3, bad, 4n)).toBe(E.fault);
    }
    g.put(256, 'x');
    expect(g.call('path_create_directory', 3, 256n, HIGH)).toBe(E.inval);
    expect(v.getUint32(0, true)).toBe(0);
  });

  it('an iovec list at a bad address, or an iovec whose buf has high bits set: fault, no byte written', async () => {
    const g = await guest64();
    const v = g.view();
    g.put(1024, 'data');
    v.setBigUint64(512, 1024n, true);
    v.setBigUint64(520, 4n, true);
    v.setBigUint64(528, HIGH | 1024n, true);
    v.setBigUint64(536, 4n, true);
    g.fill(600, 8, 0xee);
    expect(g.call('fd_write', 1, HIGH | 512n, 1n, 600n)).toBe(E.fault);
    expect(g.call('fd_write', 1, 512n, 2n, 600n)).toBe(E.fault);
    expect(g.call('fd_write', 1, 512n, 1n, HIGH | 600n)).toBe(E.fault);
    expect(g.stdout()).toBe('');
    expect(v.getUint32(600, true)).toBe(0xeeeeeeee);
    // An iovec for fd_read whose buf is past memory: nothing is read into memory either.
    v.setBigUint64(528, PAST, true);
    expect(g.call('fd_read', 0, 528n, 1n, 600n)).toBe(E.fault);
  });

  it('an argv array or a getcwd *path_len out of memory, and an epoll event pointer with high bits', async () => {
    const g = await guest64();
    expect(g.call('args_get', HIGH, 2048n)).toBe(E.fault);
    expect(g.call('args_get', 1024n, PAST - 4n)).toBe(E.fault);
    expect(g.call('getcwd', 1024n, HIGH | 16n)).toBe(E.fault);
    expect(g.call('epoll_create', HIGH)).toBe(E.fault);
  });
});

/** The kind of `path` under fd 3, through path_filestat_get at pointer size 8. */
function statKind(g: Awaited<ReturnType<typeof guest64>>, path: string): string {
  const n = g.put(256, path);
  expect(g.call('path_filestat_get', 3, 0, 256n, BigInt(n), 4096n)).toBe(0);
  const t = g.view().getUint8(4096 + 16);
  return Object.entries(FILETYPE).find(([, v]) => v === t)![0];
}
