// WASIX epoll_create/epoll_ctl/epoll_wait through a WAT guest importing from wasix_32v1: over pipes,
// event fds, files (memory and host filesystems), stdin and socket pairs; level-triggered, EPOLLET,
// EPOLLONESHOT; errors and bad pointers.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFileSystem, SharedStdin } from '../../src/index.js';
import { tempDir } from '../helpers/run-program.js';
import { ALL_RIGHTS } from '../runtime/harness.js';
import { guest, type Sig, wasixCases, wasixEnum } from './guest.js';

const E = wasixEnum('errno');
const EP = Object.fromEntries(wasixCases('epoll_type', 'flags').map((n, i) => [n, 1 << i]));
const CTL = wasixEnum('epoll_ctl');
const bit = (name: string): number => {
  const b = EP[name];
  if (b === undefined) throw new Error(`no epoll_type ${name}`);
  return b;
};
const [IN, OUT, HUP, RDHUP, ET, ONESHOT] = ['epollin', 'epollout', 'epollhup', 'epollrdhup', 'epollet', 'epolloneshot'].map(bit) as [number, number, number, number, number, number];
const W = 'wasix_32v1';
const FOREVER = 0xffff_ffff_ffff_ffffn;

const SIGS: Sig[] = [
  [W, 'epoll_create', 'i32'],
  [W, 'epoll_ctl', 'i32 i32 i32 i32'],
  [W, 'epoll_wait', 'i32 i32 i32 i64 i32'],
  [W, 'fd_pipe', 'i32 i32'],
  [W, 'fd_event', 'i64 i32 i32'],
  [W, 'sock_pair', 'i32 i32 i32 i32 i32'],
  [W, 'fd_read', 'i32 i32 i32 i32'],
  [W, 'fd_write', 'i32 i32 i32 i32'],
  [W, 'fd_close', 'i32'],
  [W, 'fd_dup', 'i32 i32'],
  [W, 'path_open', 'i32 i32 i32 i32 i32 i64 i64 i32 i32'],
  [W, 'poll_oneoff', 'i32 i32 i32 i32'],
];

async function epollGuest(options: Parameters<typeof guest>[2] = {}) {
  const g = await guest('wasix', SIGS, options);
  const call = (name: string, ...a: (number | bigint)[]) => g.call(W, name, ...a);
  const u32 = (at: number) => g.view().getUint32(at, true);
  const create = () => {
    expect(call('epoll_create', 16)).toBe(0);
    return u32(16);
  };
  /** epoll_ctl with an event at 2048 holding `events` and data (fd = `fd`, data1 = fd + 100, data2 = fd * 1000). */
  const ctl = (ep: number, op: number, fd: number, events = 0) => {
    const v = g.view();
    v.setUint32(2048, events, true);
    v.setUint32(2056, 0xabc, true);
    v.setUint32(2060, fd, true);
    v.setUint32(2064, fd + 100, true);
    v.setBigUint64(2072, BigInt(fd) * 1000n, true);
    return call('epoll_ctl', ep, op, fd, 2048);
  };
  /** epoll_wait into 4096 for at most `max` events: [errno, events as { events, fd, data1, data2 }]. */
  const wait = (ep: number, max = 8, timeout: bigint = 0n) => {
    g.fill(4096, 32 * 8, 0xee);
    const errno = call('epoll_wait', ep, 4096, max, timeout, 20);
    const v = g.view();
    const got = Array.from({ length: errno ? 0 : u32(20) }, (_, i) => {
      const at = 4096 + i * 32;
      return { events: v.getUint32(at, true), ptr: v.getUint32(at + 8, true), fd: v.getUint32(at + 12, true), data1: v.getUint32(at + 16, true), data2: v.getBigUint64(at + 24, true) };
    });
    return [errno, got] as const;
  };
  const write = (fd: number, data: string | Uint8Array) => {
    const n = g.put(8192, data);
    g.view().setUint32(48, 8192, true);
    g.view().setUint32(52, n, true);
    return call('fd_write', fd, 48, 1, 56);
  };
  const read = (fd: number, len: number) => {
    g.view().setUint32(32, 12288, true);
    g.view().setUint32(36, len, true);
    const errno = call('fd_read', fd, 32, 1, 40);
    return [errno, errno ? '' : Buffer.from(g.bytes(12288, u32(40))).toString()] as const;
  };
  const pipe = () => {
    expect(call('fd_pipe', 16, 20)).toBe(0);
    return [u32(16), u32(20)] as const;
  };
  const open = (dir: number, path: string) => {
    const len = g.put(1024, path);
    expect(call('path_open', dir, 1, 1024, len, 1, ALL_RIGHTS, ALL_RIGHTS, 0, 16)).toBe(0);
    return u32(16);
  };
  return { ...g, call, u32, create, ctl, wait, write, read, pipe, open };
}

describe('epoll over pipes (level-triggered)', () => {
  it('reports a pipe end readable while bytes wait, with the data given to epoll_ctl, and not after they are read', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const [a, b] = g.pipe();
    expect(g.ctl(ep, CTL.add!, b, IN)).toBe(0);
    expect(g.wait(ep)).toEqual([0, []]);
    expect(g.write(a, 'hello')).toBe(0);
    const ready = { events: IN, ptr: 0xabc, fd: b, data1: b + 100, data2: BigInt(b) * 1000n };
    expect(g.wait(ep)).toEqual([0, [ready]]);
    expect(g.wait(ep)).toEqual([0, [ready]]); // level-triggered: still readable
    expect(g.read(b, 2)).toEqual([0, 'he']);
    expect(g.wait(ep)).toEqual([0, [ready]]);
    expect(g.read(b, 10)).toEqual([0, 'llo']);
    expect(g.wait(ep)).toEqual([0, []]);
  });

  it('reports hangup once the other end is closed, and stays readable only while bytes remain', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const [a, b] = g.pipe();
    g.ctl(ep, CTL.add!, b, IN);
    g.write(a, 'x');
    expect(g.call('fd_close', a)).toBe(0);
    expect(g.wait(ep)[1].map((e) => e.events)).toEqual([IN | HUP]);
    g.read(b, 1);
    expect(g.wait(ep)[1].map((e) => e.events)).toEqual([HUP]);
  });

  it('EPOLLOUT: a pipe end is always writable; both directions are reported in one event', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const [a, b] = g.pipe();
    g.ctl(ep, CTL.add!, a, IN | OUT);
    expect(g.wait(ep)[1].map((e) => e.events)).toEqual([OUT]);
    g.write(b, 'y');
    expect(g.wait(ep)[1].map((e) => e.events)).toEqual([IN | OUT]);
  });

  it('several fds: every ready one, at most maxevents per call', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const ends = [g.pipe(), g.pipe(), g.pipe()];
    for (const [, b] of ends) g.ctl(ep, CTL.add!, b, IN);
    for (const [a] of ends) g.write(a, 'z');
    expect(g.wait(ep, 8)[1].map((e) => e.fd)).toEqual(ends.map(([, b]) => b));
    expect(g.wait(ep, 2)[1]).toHaveLength(2);
  });

  it('EPOLL_CTL_MOD changes the events and data; EPOLL_CTL_DEL removes the fd', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const [a, b] = g.pipe();
    g.ctl(ep, CTL.add!, b, IN);
    g.write(a, 'q');
    expect(g.ctl(ep, CTL.mod!, b, OUT)).toBe(0);
    expect(g.wait(ep)[1].map((e) => e.events)).toEqual([OUT]);
    expect(g.call('epoll_ctl', ep, CTL.del!, b, 0)).toBe(0); // del needs no event
    expect(g.wait(ep)).toEqual([0, []]);
  });

  it('a closed fd leaves the interest list, as on Linux', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const [a, b] = g.pipe();
    g.ctl(ep, CTL.add!, b, IN);
    g.write(a, 'q');
    expect(g.call('fd_close', b)).toBe(0);
    expect(g.wait(ep)).toEqual([0, []]);
    expect(g.ctl(ep, CTL.del!, b)).toBe(E.badf);
  });
});

describe('EPOLLET and EPOLLONESHOT', () => {
  it('edge-triggered: reported once per arrival of data, not while it merely stays', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const [a, b] = g.pipe();
    g.ctl(ep, CTL.add!, b, IN | ET);
    g.write(a, 'one');
    expect(g.wait(ep)[1]).toHaveLength(1);
    expect(g.wait(ep)[1]).toHaveLength(0); // nothing new
    g.write(a, 'two');
    expect(g.wait(ep)[1]).toHaveLength(1); // more arrived
    g.read(b, 100);
    expect(g.wait(ep)[1]).toHaveLength(0);
    g.write(a, 'three');
    expect(g.wait(ep)[1]).toHaveLength(1);
  });

  it('one-shot: reported once, then silent until EPOLL_CTL_MOD arms it again', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const [a, b] = g.pipe();
    g.ctl(ep, CTL.add!, b, IN | ONESHOT);
    g.write(a, 'x');
    expect(g.wait(ep)[1]).toHaveLength(1);
    expect(g.wait(ep)[1]).toHaveLength(0);
    expect(g.ctl(ep, CTL.mod!, b, IN | ONESHOT)).toBe(0);
    expect(g.wait(ep)[1]).toHaveLength(1);
  });
});

describe('epoll over event fds, files, stdin, socket pairs and other epolls', () => {
  it('an event fd is readable while its counter is non-zero', async () => {
    const g = await epollGuest();
    const ep = g.create();
    expect(g.call('fd_event', 0n, 0, 16)).toBe(0);
    const ev = g.u32(16);
    g.ctl(ep, CTL.add!, ev, IN);
    expect(g.wait(ep)[1]).toHaveLength(0);
    const one = new Uint8Array(8);
    one[0] = 1;
    expect(g.write(ev, one)).toBe(0);
    expect(g.wait(ep)[1].map((e) => [e.fd, e.events])).toEqual([[ev, IN]]);
  });

  const tmp = tempDir('wasi-kit-epoll-');
  afterAll(tmp.cleanup);
  const dir = tmp.path;
  writeFileSync(join(dir, 'f.txt'), 'file');
  for (const [name, preopen] of [
    ['memory', () => new MemoryFileSystem({ '/f.txt': 'file' })],
    ['host', () => dir],
  ] as const) {
    it(`a file on the ${name} filesystem is always readable and writable`, async () => {
      const g = await epollGuest({ preopens: { '/d': preopen() } });
      const ep = g.create();
      const f = g.open(3, 'f.txt');
      expect(g.ctl(ep, CTL.add!, f, IN | OUT)).toBe(0);
      expect(g.wait(ep)[1].map((e) => e.events)).toEqual([IN | OUT]);
      g.read(f, 100); // at the end: still readable (a read gives 0)
      expect(g.wait(ep)[1].map((e) => e.events)).toEqual([IN | OUT]);
    });
  }

  it('stdin from a SharedStdin: readable once bytes are written, hangup at its end', async () => {
    const stdin = new SharedStdin();
    const g = await epollGuest({ stdin });
    const ep = g.create();
    g.ctl(ep, CTL.add!, 0, IN);
    expect(g.wait(ep)[1]).toHaveLength(0);
    stdin.writeAll('typed\n');
    expect(g.wait(ep)[1].map((e) => e.events)).toEqual([IN]);
    expect(g.read(0, 100)).toEqual([0, 'typed\n']);
    stdin.end();
    expect(g.wait(ep)[1].map((e) => e.events)).toEqual([HUP]);
  });

  it('a socket pair: readable when the peer sent, readable with RDHUP when the peer closed', async () => {
    const g = await epollGuest();
    const ep = g.create();
    expect(g.call('sock_pair', 1, 1, 0, 16, 20)).toBe(0);
    const [s1, s2] = [g.u32(16), g.u32(20)];
    g.ctl(ep, CTL.add!, s2, IN | RDHUP);
    expect(g.wait(ep)[1]).toHaveLength(0);
    g.write(s1, 'hi');
    expect(g.wait(ep)[1].map((e) => e.events)).toEqual([IN]);
    g.call('fd_close', s1);
    expect(g.wait(ep)[1].map((e) => e.events)).toEqual([IN | RDHUP]);
    expect(g.read(s2, 10)).toEqual([0, 'hi']);
    expect(g.wait(ep)[1].map((e) => e.events)).toEqual([IN | RDHUP]); // recv now gives 0
  });

  it('an epoll inside an epoll is readable while the inner one has events, and poll_oneoff sees it too', async () => {
    const g = await epollGuest();
    const [outer, inner] = [g.create(), g.create()];
    const [a, b] = g.pipe();
    g.ctl(inner, CTL.add!, b, IN);
    expect(g.ctl(outer, CTL.add!, inner, IN)).toBe(0);
    expect(g.wait(outer)[1]).toHaveLength(0);
    g.write(a, 'x');
    expect(g.wait(outer)[1].map((e) => [e.fd, e.events])).toEqual([[inner, IN]]);
    // poll_oneoff on the inner epoll: one fd_read subscription.
    const v = g.view();
    g.fill(10000, 48, 0);
    v.setUint8(10008, 1);
    v.setUint32(10016, inner, true);
    expect(g.call('poll_oneoff', 10000, 11000, 1, 60)).toBe(0);
    expect([g.u32(60), v.getUint16(11008, true)]).toEqual([1, 0]);
  });

  it('a duplicate of an epoll fd shares its interest list', async () => {
    const g = await epollGuest();
    const ep = g.create();
    expect(g.call('fd_dup', ep, 16)).toBe(0);
    const dup = g.u32(16);
    const [a, b] = g.pipe();
    g.ctl(dup, CTL.add!, b, IN);
    g.write(a, 'x');
    expect(g.wait(ep)[1]).toHaveLength(1);
  });
});

describe('waiting and errors', () => {
  it('a timeout in nanoseconds: nothing ready gives 0 events after it', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const [, b] = g.pipe();
    g.ctl(ep, CTL.add!, b, IN);
    const t0 = performance.now();
    expect(g.wait(ep, 8, 20_000_000n)).toEqual([0, []]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
  });

  it('waiting forever on fds only this thread could make ready is deadlk', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const [, b] = g.pipe();
    g.ctl(ep, CTL.add!, b, IN);
    expect(g.wait(ep, 8, FOREVER)[0]).toBe(E.deadlk);
    expect(g.wait(g.create(), 8, FOREVER)[0]).toBe(E.deadlk); // an empty interest list
  });

  it('epoll_ctl refuses: badf, inval (not an epoll, itself), exist, noent, fault (null or outside memory)', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const [, b] = g.pipe();
    expect(g.ctl(99, CTL.add!, b, IN)).toBe(E.badf);
    expect(g.ctl(ep, CTL.add!, 99, IN)).toBe(E.badf);
    expect(g.ctl(b, CTL.add!, ep, IN)).toBe(E.inval);
    expect(g.ctl(ep, CTL.add!, ep, IN)).toBe(E.inval);
    expect(g.ctl(ep, CTL.mod!, b, IN)).toBe(E.noent);
    expect(g.ctl(ep, CTL.del!, b)).toBe(E.noent);
    expect(g.ctl(ep, CTL.add!, b, IN)).toBe(0);
    expect(g.ctl(ep, CTL.add!, b, IN)).toBe(E.exist);
    expect(g.call('epoll_ctl', ep, CTL.mod!, b, 0)).toBe(E.fault);
    expect(g.call('epoll_ctl', ep, CTL.mod!, b, 65536 - 16)).toBe(E.fault);
    expect(g.call('epoll_ctl', ep, 3, b, 2048)).toBe(E.inval); // no such op
  });

  it('epoll_wait refuses: inval for a non-epoll fd or maxevents 0, fault for an array outside memory, before anything is taken', async () => {
    const g = await epollGuest();
    const ep = g.create();
    const [a, b] = g.pipe();
    g.ctl(ep, CTL.add!, b, IN | ONESHOT);
    g.write(a, 'x');
    expect(g.call('epoll_wait', b, 4096, 1, 0n, 20)).toBe(E.inval);
    expect(g.call('epoll_wait', ep, 4096, 0, 0n, 20)).toBe(E.inval);
    expect(g.call('epoll_wait', ep, 65536 - 32, 2, 0n, 20)).toBe(E.fault);
    expect(g.call('epoll_wait', ep, 4096, 1, 0n, 65536)).toBe(E.fault);
    expect(g.wait(ep)[1]).toHaveLength(1); // the one-shot event was not spent by the failed calls
    expect(g.call('fd_read', ep, 32, 1, 40)).toBe(E.notcapable);
  });
});
