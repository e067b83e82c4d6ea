// WASIX path_open2 (preview1's path_open plus close-on-exec) on the memory and host filesystems, and
// sock_pair (an in-memory connected pair of stream sockets), through a WAT guest on wasix_32v1.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../src/index.js';
import { tempDir } from '../helpers/run-program.js';
import { ALL_RIGHTS } from '../runtime/harness.js';
import { guest, type Sig, wasixEnum } from './guest.js';

const E = wasixEnum('errno');
const ST = wasixEnum('sock_type');
const AF = wasixEnum('address_family');
const W = 'wasix_32v1';
const CREAT = 1;
const EXCL = 4;
const NONBLOCK = 4;
const SOCKET_STREAM_FILETYPE = 6; // preview1 filetype.socket_stream

const SIGS: Sig[] = [
  [W, 'path_open2', 'i32 i32 i32 i32 i32 i64 i64 i32 i32 i32'],
  [W, 'fd_fdflags_get', 'i32 i32'],
  [W, 'fd_read', 'i32 i32 i32 i32'],
  [W, 'fd_write', 'i32 i32 i32 i32'],
  [W, 'fd_close', 'i32'],
  [W, 'fd_fdstat_get', 'i32 i32'],
  [W, 'fd_fdstat_set_flags', 'i32 i32'],
  [W, 'sock_pair', 'i32 i32 i32 i32 i32'],
  [W, 'sock_recv', 'i32 i32 i32 i32 i32 i32'],
  [W, 'sock_send', 'i32 i32 i32 i32 i32'],
  [W, 'sock_shutdown', 'i32 i32'],
  [W, 'poll_oneoff', 'i32 i32 i32 i32'],
];

async function g2(options: Parameters<typeof guest>[2] = {}) {
  const g = await guest('wasix', SIGS, options);
  const call = (name: string, ...a: (number | bigint)[]) => g.call(W, name, ...a);
  const u32 = (at: number) => g.view().getUint32(at, true);
  const open2 = (dir: number, path: string, oflags: number, fdflagsext: number, fdflags = 0) => {
    const len = g.put(1024, path);
    const errno = call('path_open2', dir, 1, 1024, len, oflags, ALL_RIGHTS, ALL_RIGHTS, fdflags, fdflagsext, 16);
    return [errno, u32(16)] as const;
  };
  const write = (fd: number, data: string) => {
    const n = g.put(8192, data);
    g.view().setUint32(48, 8192, true);
    g.view().setUint32(52, n, true);
    const errno = call('fd_write', fd, 48, 1, 56);
    return [errno, u32(56)] as const;
  };
  const read = (fd: number, len: number) => {
    g.view().setUint32(32, 12288, true);
    g.view().setUint32(36, len, true);
    const errno = call('fd_read', fd, 32, 1, 40);
    return [errno, errno ? '' : Buffer.from(g.bytes(12288, u32(40))).toString()] as const;
  };
  const cloexec = (fd: number) => [call('fd_fdflags_get', fd, 60), g.view().getUint16(60, true)] as const;
  const pair = () => {
    expect(call('sock_pair', AF.unix!, ST.socket_stream!, 0, 16, 20)).toBe(0);
    return [u32(16), u32(20)] as const;
  };
  return { ...g, call, u32, open2, write, read, cloexec, pair };
}

describe('path_open2', () => {
  const tmp = tempDir('wasi-kit-open2-');
  afterAll(tmp.cleanup);
  const host = tmp.path;
  writeFileSync(join(host, 'old.txt'), 'old');
  for (const [name, preopen, contents] of [
    ['memory', () => new MemoryFileSystem({ '/old.txt': 'old' }), (fs: unknown, p: string) => Buffer.from((fs as MemoryFileSystem).toFiles()[`/${p}`] as Uint8Array).toString()],
    ['host', () => host, (_fs: unknown, p: string) => readFileSync(join(host, p), 'utf8')],
  ] as const) {
    it(`opens and creates as path_open does, with close-on-exec as fdflagsext says (${name} filesystem)`, async () => {
      const fs = preopen();
      const g = await g2({ preopens: { '/d': fs } });
      // A WASIX program has `/` as fd 3, its preopens after it.
      const [e0, fd] = g.open2(4, `new-${name}.txt`, CREAT | EXCL, 1);
      expect(e0).toBe(0);
      expect(g.cloexec(fd)).toEqual([0, 1]);
      expect(g.write(fd, 'fresh')).toEqual([0, 5]);
      expect(g.call('fd_close', fd)).toBe(0);
      expect(contents(fs, `new-${name}.txt`)).toBe('fresh');
      const [e1, old] = g.open2(4, 'old.txt', 0, 0);
      expect(e1).toBe(0);
      expect(g.cloexec(old)).toEqual([0, 0]);
      expect(g.read(old, 10)).toEqual([0, 'old']);
      // preview1's errors, unchanged: exists, missing, a file fd (no path rights).
      expect(g.open2(4, `new-${name}.txt`, CREAT | EXCL, 0)[0]).toBe(E.exist);
      expect(g.open2(4, 'missing', 0, 0)[0]).toBe(E.noent);
      expect(g.open2(old, 'x', 0, 0)[0]).toBe(E.notcapable);
    });
  }

  it('refuses unknown fdflagsext bits, a misaligned out-pointer and a path outside memory, opening nothing', async () => {
    const g = await g2({ preopens: { '/d': new MemoryFileSystem({}) } });
    expect(g.open2(4, 'a', CREAT, 2)[0]).toBe(E.inval);
    expect(g.call('path_open2', 4, 1, 1024, 1, CREAT, ALL_RIGHTS, ALL_RIGHTS, 0, 0, 17)).toBe(E.inval);
    expect(g.call('path_open2', 4, 1, 65535, 10, CREAT, ALL_RIGHTS, ALL_RIGHTS, 0, 0, 16)).toBe(E.fault);
    // The next fd is still 5 (3 is `/`, 4 the preopen): none of the failed calls left one open.
    expect(g.open2(4, 'a', CREAT, 0)).toEqual([0, 5]);
  });
});

describe('sock_pair', () => {
  it('two socket fds, each reading what the other wrote, with fd_read/fd_write and sock_recv/sock_send', async () => {
    const g = await g2();
    const [a, b] = g.pair();
    expect([a, b]).toEqual([4, 5]); // fd 3 is `/`
    expect(g.call('fd_fdstat_get', a, 64)).toBe(0);
    expect(g.view().getUint8(64)).toBe(SOCKET_STREAM_FILETYPE);
    expect(g.write(a, 'ping')).toEqual([0, 4]);
    expect(g.read(b, 10)).toEqual([0, 'ping']);
    // sock_send from b (one ciovec at 48), sock_recv into a with peek, then for real.
    g.put(8192, 'pong');
    g.view().setUint32(48, 8192, true);
    g.view().setUint32(52, 4, true);
    expect(g.call('sock_send', b, 48, 1, 0, 56)).toBe(0);
    g.view().setUint32(32, 12288, true);
    g.view().setUint32(36, 2, true);
    expect(g.call('sock_recv', a, 32, 1, 1 /* recv_peek */, 40, 44)).toBe(0);
    expect(Buffer.from(g.bytes(12288, g.u32(40))).toString()).toBe('po');
    expect(g.read(a, 10)).toEqual([0, 'pong']);
  });

  it('an empty socket: deadlk when blocking (only this thread could send), again when nonblocking', async () => {
    const g = await g2();
    const [a] = g.pair();
    expect(g.read(a, 4)[0]).toBe(E.deadlk);
    expect(g.call('fd_fdstat_set_flags', a, NONBLOCK)).toBe(0);
    expect(g.read(a, 4)[0]).toBe(E.again);
  });

  it('shutdown and close: the peer reads what was sent, then 0; sending to a closed peer is pipe', async () => {
    const g = await g2();
    const [a, b] = g.pair();
    g.write(a, 'bye');
    expect(g.call('sock_shutdown', a, 2 /* wr */)).toBe(0);
    expect(g.write(a, 'more')[0]).toBe(E.pipe);
    expect(g.read(b, 10)).toEqual([0, 'bye']);
    expect(g.read(b, 10)).toEqual([0, '']);
    expect(g.write(b, 'still')).toEqual([0, 5]); // the other direction is open
    expect(g.read(a, 10)).toEqual([0, 'still']);
    expect(g.call('fd_close', a)).toBe(0);
    expect(g.write(b, 'x')[0]).toBe(E.pipe);
  });

  it('poll_oneoff sees bytes waiting on an end', async () => {
    const g = await g2();
    const [a, b] = g.pair();
    g.write(a, 'abc');
    const v = g.view();
    g.fill(10000, 48, 0);
    v.setUint8(10008, 1);
    v.setUint32(10016, b, true);
    expect(g.call('poll_oneoff', 10000, 11000, 1, 60)).toBe(0);
    expect([g.u32(60), v.getUint16(11008, true), v.getBigUint64(11016, true)]).toEqual([1, 0, 3n]);
  });

  it('only stream pairs: datagram and raw are notsup; tcp is a stream protocol, udp is not', async () => {
    const g = await g2();
    expect(g.call('sock_pair', AF.inet4!, ST.socket_dgram!, 0, 16, 20)).toBe(E.notsup);
    expect(g.call('sock_pair', AF.inet4!, ST.socket_raw!, 0, 16, 20)).toBe(E.notsup);
    expect(g.call('sock_pair', AF.inet4!, ST.socket_stream!, 6, 16, 20)).toBe(0);
    expect(g.call('sock_pair', AF.inet4!, ST.socket_stream!, 17, 16, 20)).toBe(E.notsup);
    expect(g.call('sock_pair', 9, ST.socket_stream!, 0, 16, 20)).toBe(E.inval); // no such family
    expect(g.call('sock_pair', AF.unix!, ST.socket_stream!, 0, 16, 65536)).toBe(E.fault);
  });
});
