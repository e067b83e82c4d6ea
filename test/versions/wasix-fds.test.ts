// WASIX fd extensions through a WAT guest importing from wasix_32v1: fd_dup/fd_dup2 (shared open
// file, reference-counted close), fd_fdflags_get/set, fd_pipe, fd_event; with preview1's fd_read,
// fd_write, fd_close and poll_oneoff acting on what they create.
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI } from '../../src/index.js';
import { ALL_RIGHTS, wat } from '../runtime/harness.js';
import { guest, type Sig, wasixEnum } from './guest.js';

const E = wasixEnum('errno');
const NONBLOCK = 4; // preview1 fdflags.nonblock
const HANGUP = 1; // eventrwflags.fd_readwrite_hangup

const W = 'wasix_32v1';
const SIGS: Sig[] = [
  [W, 'fd_dup', 'i32 i32'],
  [W, 'fd_dup2', 'i32 i32 i32 i32'],
  [W, 'fd_fdflags_get', 'i32 i32'],
  [W, 'fd_fdflags_set', 'i32 i32'],
  [W, 'fd_pipe', 'i32 i32'],
  [W, 'fd_event', 'i64 i32 i32'],
  [W, 'fd_read', 'i32 i32 i32 i32'],
  [W, 'fd_write', 'i32 i32 i32 i32'],
  [W, 'fd_close', 'i32'],
  [W, 'fd_renumber', 'i32 i32'],
  [W, 'fd_fdstat_set_flags', 'i32 i32'],
  [W, 'poll_oneoff', 'i32 i32 i32 i32'],
  [W, 'path_open', 'i32 i32 i32 i32 i32 i64 i64 i32 i32'],
  [W, 'fd_prestat_get', 'i32 i32'],
  [W, 'fd_readdir', 'i32 i32 i32 i64 i32'],
];

async function wasixGuest(options: Parameters<typeof guest>[2] = {}) {
  const g = await guest('wasix', SIGS, options);
  const call = (name: string, ...a: (number | bigint)[]) => g.call(W, name, ...a);
  const u32 = (at: number) => g.view().getUint32(at, true);
  /** fd_read of up to `len` bytes: [errno, text]. */
  const read = (fd: number, len: number) => {
    g.view().setUint32(32, 4096, true);
    g.view().setUint32(36, len, true);
    const errno = call('fd_read', fd, 32, 1, 40);
    return [errno, errno ? '' : Buffer.from(g.bytes(4096, u32(40))).toString()] as const;
  };
  /** fd_write of `data`: [errno, written]. */
  const write = (fd: number, data: string | Uint8Array) => {
    const n = g.put(8192, data);
    g.view().setUint32(48, 8192, true);
    g.view().setUint32(52, n, true);
    const errno = call('fd_write', fd, 48, 1, 56);
    return [errno, u32(56)] as const;
  };
  /** A call returning one fd through a pointer at 16: [errno, fd]. */
  const fdOut = (name: string, ...a: (number | bigint)[]) => {
    const errno = call(name, ...a, 16);
    return [errno, u32(16)] as const;
  };
  const pipe = () => {
    expect(call('fd_pipe', 16, 20)).toBe(0);
    return [u32(16), u32(20)] as const;
  };
  /** poll_oneoff over an fd_read on `fd` and, with `timeoutNs`, a relative monotonic clock: [errno, events]. */
  const poll = (fd: number, timeoutNs?: bigint) => {
    const v = g.view();
    g.fill(10000, 200, 0);
    v.setBigUint64(10000, 7n, true);
    v.setUint8(10008, 1); // fd_read
    v.setUint32(10016, fd, true);
    let n = 1;
    if (timeoutNs !== undefined) {
      v.setBigUint64(10048, 9n, true);
      v.setUint8(10056, 0); // clock
      v.setUint32(10064, 1, true); // monotonic
      v.setBigUint64(10072, timeoutNs, true);
      n = 2;
    }
    const errno = call('poll_oneoff', 10000, 11000, n, 60);
    const events = Array.from({ length: errno ? 0 : u32(60) }, (_, i) => {
      const at = 11000 + i * 32;
      return { userdata: v.getBigUint64(at, true), error: v.getUint16(at + 8, true), type: v.getUint8(at + 10), nbytes: v.getBigUint64(at + 16, true), flags: v.getUint16(at + 24, true) };
    });
    return [errno, events] as const;
  };
  return { ...g, call, u32, read, write, fdOut, pipe, poll };
}

const u64le = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};

describe('fd_dup and fd_dup2', () => {
  it('a duplicate shares the position of the open file, and the file stays open until its last fd is closed', async () => {
    const g = await wasixGuest({ preopens: { '/m': new MemoryFileSystem({ '/f': 'abcdef' }) } });
    const len = g.put(1024, 'f');
    // A WASIX program has `/` as fd 3 and its preopens after it.
    const [e0, fd] = g.fdOut('path_open', 4, 1, 1024, len, 0, ALL_RIGHTS, ALL_RIGHTS, 0);
    expect(e0).toBe(0);
    expect(g.read(fd, 2)).toEqual([0, 'ab']);
    const [e1, dup] = g.fdOut('fd_dup', fd);
    expect(e1).toBe(0);
    expect(dup).toBe(fd + 1);
    expect(g.read(dup, 2)).toEqual([0, 'cd']);
    expect(g.call('fd_close', fd)).toBe(0);
    expect(g.read(dup, 10)).toEqual([0, 'ef']);
    expect(g.call('fd_close', dup)).toBe(0);
    expect(g.call('fd_close', dup)).toBe(E.badf);
  });

  it('a duplicate of a preopened directory is a directory fd, not a preopen', async () => {
    const g = await wasixGuest({ preopens: { '/m': new MemoryFileSystem({ '/f': 'x' }) } });
    const [, dup] = g.fdOut('fd_dup', 4);
    expect(g.call('fd_prestat_get', 4, 16)).toBe(0);
    expect(g.call('fd_prestat_get', dup, 16)).toBe(E.badf);
    expect(g.call('fd_readdir', dup, 2048, 1024, 0n, 16)).toBe(0);
    expect(g.u32(16)).toBeGreaterThan(0);
    expect(g.call('fd_close', 4)).toBe(0);
    const len = g.put(1024, 'f');
    expect(g.fdOut('path_open', dup, 1, 1024, len, 0, ALL_RIGHTS, ALL_RIGHTS, 0)[0]).toBe(0);
  });

  it('fd_dup2 takes the lowest free fd not below min_result_fd and sets close-on-exec on the new fd only', async () => {
    const g = await wasixGuest();
    expect(g.fdOut('fd_dup2', 1, 10, 1)).toEqual([0, 10]);
    expect(g.fdOut('fd_dup2', 1, 10, 0)).toEqual([0, 11]);
    expect(g.fdOut('fd_dup2', 1, 0, 0)).toEqual([0, 4]); // fd 3 is `/`
    expect([g.call('fd_fdflags_get', 10, 16), g.u32(16) & 0xffff]).toEqual([0, 1]);
    expect([g.call('fd_fdflags_get', 11, 16), g.u32(16) & 0xffff]).toEqual([0, 0]);
    expect([g.call('fd_fdflags_get', 1, 16), g.u32(16) & 0xffff]).toEqual([0, 0]);
    expect(g.fdOut('fd_dup2', 1, 1024, 0)[0]).toBe(E.inval); // past the 1024-open-file limit
    expect(g.fdOut('fd_dup2', 1, 5, 2)[0]).toBe(E.inval); // not a bool
    expect(g.fdOut('fd_dup', 99)[0]).toBe(E.badf);
  });

  it('a duplicate of stdout writes to stdout, also after fd 1 is closed', async () => {
    const out: string[] = [];
    const g = await wasixGuest({ stdout: (b) => void out.push(Buffer.from(b).toString()) });
    const [, dup] = g.fdOut('fd_dup', 1);
    expect(g.call('fd_close', 1)).toBe(0);
    expect(g.write(dup, 'hi')).toEqual([0, 2]);
    expect(out.join('')).toBe('hi');
  });

  it('fdflags (nonblock) belong to the open file: set on a duplicate, the original sees them', async () => {
    const g = await wasixGuest();
    const [, b] = g.pipe();
    const [, dup] = g.fdOut('fd_dup', b);
    expect(g.call('fd_fdstat_set_flags', dup, NONBLOCK)).toBe(0);
    expect(g.read(b, 4)[0]).toBe(E.again);
  });

  it('fd_renumber onto a duplicate drops one reference, not the open file', async () => {
    const g = await wasixGuest();
    const [a, b] = g.pipe();
    const [, dup] = g.fdOut('fd_dup', a);
    const [, other] = g.pipe();
    expect(g.call('fd_renumber', other, a)).toBe(0); // `a` held the pipe end that `dup` still refers to
    expect(g.write(b, 'x')).toEqual([0, 1]);
    expect(g.read(dup, 4)).toEqual([0, 'x']);
  });
});

describe('fd_fdflags_get / fd_fdflags_set', () => {
  it('stores close-on-exec per fd; unknown bits and bad fds are refused', async () => {
    const g = await wasixGuest();
    expect(g.call('fd_fdflags_set', 2, 1)).toBe(0);
    expect([g.call('fd_fdflags_get', 2, 16), g.u32(16) & 0xffff]).toEqual([0, 1]);
    expect(g.call('fd_fdflags_set', 2, 0)).toBe(0);
    expect([g.call('fd_fdflags_get', 2, 16), g.u32(16) & 0xffff]).toEqual([0, 0]);
    expect(g.call('fd_fdflags_set', 2, 2)).toBe(E.inval);
    expect(g.call('fd_fdflags_set', 42, 1)).toBe(E.badf);
    expect(g.call('fd_fdflags_get', 42, 16)).toBe(E.badf);
  });
});

describe('fd_pipe', () => {
  it('is bidirectional: each end reads, in order, what the other wrote', async () => {
    const g = await wasixGuest();
    const [a, b] = g.pipe();
    expect(g.write(a, 'hel')).toEqual([0, 3]);
    expect(g.write(a, 'lo')).toEqual([0, 2]);
    expect(g.read(b, 4)).toEqual([0, 'hell']);
    expect(g.read(b, 4)).toEqual([0, 'o']);
    expect(g.write(b, 'back')).toEqual([0, 4]);
    expect(g.read(a, 10)).toEqual([0, 'back']);
  });

  it('an empty pipe: deadlk when blocking (no other thread can write), again when nonblocking', async () => {
    const g = await wasixGuest();
    const [, b] = g.pipe();
    expect(g.read(b, 4)[0]).toBe(E.deadlk);
    expect(g.call('fd_fdstat_set_flags', b, NONBLOCK)).toBe(0);
    expect(g.read(b, 4)[0]).toBe(E.again);
  });

  it('closing an end: the other reads what is left, then 0 (end of file); writing to it gives pipe', async () => {
    const g = await wasixGuest();
    const [a, b] = g.pipe();
    g.write(a, 'last');
    expect(g.call('fd_close', a)).toBe(0);
    expect(g.read(b, 10)).toEqual([0, 'last']);
    expect(g.read(b, 10)).toEqual([0, '']);
    expect(g.write(b, 'x')[0]).toBe(E.pipe);
  });

  it('an end stays open while a duplicate of it is open', async () => {
    const g = await wasixGuest();
    const [a, b] = g.pipe();
    const [, dup] = g.fdOut('fd_dup', a);
    expect(g.call('fd_close', a)).toBe(0);
    expect(g.read(b, 4)[0]).toBe(E.deadlk); // not end of file: `dup` could still write
    expect(g.call('fd_close', dup)).toBe(0);
    expect(g.read(b, 4)).toEqual([0, '']);
  });

  it('poll_oneoff: bytes waiting, hangup once the other end is closed, and a clock when nothing is ready', async () => {
    const g = await wasixGuest();
    const [a, b] = g.pipe();
    const [e0, timeout] = g.poll(b, 1_000_000n);
    expect(e0).toBe(0);
    expect(timeout.map((e) => [e.userdata, e.type])).toEqual([[9n, 0]]);
    g.write(a, 'abc');
    const [, ready] = g.poll(b);
    expect(ready).toMatchObject([{ userdata: 7n, error: 0, type: 1, nbytes: 3n, flags: 0 }]);
    g.call('fd_close', a);
    expect(g.poll(b)[1]).toMatchObject([{ nbytes: 3n, flags: HANGUP }]);
    g.read(b, 10);
    expect(g.poll(b)[1]).toMatchObject([{ nbytes: 0n, flags: HANGUP }]);
  });

  it('poll_oneoff on an empty pipe with no clock could never return: deadlk', async () => {
    const g = await wasixGuest();
    const [, b] = g.pipe();
    expect(g.poll(b)[0]).toBe(E.deadlk);
  });

  it('writes both fds only when both can be had, and checks the out-pointers first', async () => {
    const g = await wasixGuest({ maxOpenFiles: 5 });
    expect(g.call('fd_pipe', 16, 20)).toBe(E.nfile); // fds 0-2, `/` and one end: the second end fails
    expect(g.fdOut('fd_dup', 1)).toEqual([0, 4]); // the first end was given back
    expect(g.call('fd_pipe', 16, 21)).toBe(E.inval);
  });
});

describe('a program', () => {
  it('dups stdout, sends "ping" through a pipe and writes what came out to the duplicate', async () => {
    // Memory: 0/4 the pipe's ends, 8 the dup, 16 iovec, 24 count, 100 "ping", 200 read buffer.
    const m = await wat(`(module
      (import "wasix_32v1" "fd_pipe" (func $pipe (param i32 i32) (result i32)))
      (import "wasix_32v1" "fd_dup" (func $dup (param i32 i32) (result i32)))
      (import "wasix_32v1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasix_32v1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
      (import "wasix_32v1" "fd_close" (func $close (param i32) (result i32)))
      (import "wasix_32v1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 100) "ping")
      (func $check (param i32) (if (local.get 0) (then (call $exit (i32.add (i32.const 100) (local.get 0))))))
      (func (export "_start")
        (call $check (call $pipe (i32.const 0) (i32.const 4)))
        (call $check (call $dup (i32.const 1) (i32.const 8)))
        (call $check (call $close (i32.const 1)))
        (i32.store (i32.const 16) (i32.const 100))
        (i32.store (i32.const 20) (i32.const 4))
        (call $check (call $write (i32.load (i32.const 0)) (i32.const 16) (i32.const 1) (i32.const 24)))
        (call $check (call $close (i32.load (i32.const 0))))
        (i32.store (i32.const 16) (i32.const 200))
        (i32.store (i32.const 20) (i32.const 64))
        (call $check (call $read (i32.load (i32.const 4)) (i32.const 16) (i32.const 1) (i32.const 24)))
        (i32.store (i32.const 20) (i32.load (i32.const 24)))
        (call $check (call $write (i32.load (i32.const 8)) (i32.const 16) (i32.const 1) (i32.const 24)))
        (call $exit (i32.load (i32.const 8)))))`);
    const out: Uint8Array[] = [];
    const wasi = new WASI({ version: 'wasix', stdout: (b) => void out.push(Uint8Array.from(b)) });
    const instance = new WebAssembly.Instance(m, wasi.getImportObject() as WebAssembly.Imports);
    expect(wasi.start(instance)).toBe(6); // fd 3 is `/`, 4 and 5 are the pipe, the dup is 6
    expect(Buffer.concat(out).toString()).toBe('ping');
  });
});

describe('fd_event', () => {
  it('a read returns the counter (u64 LE) and resets it, a write adds to it; an empty counter waits honestly', async () => {
    const g = await wasixGuest();
    const [, fd] = g.fdOut('fd_event', 3n, 0);
    const readCount = () => {
      g.view().setUint32(32, 4096, true);
      g.view().setUint32(36, 8, true);
      const errno = g.call('fd_read', fd, 32, 1, 40);
      return errno ? { errno } : { errno, n: g.u32(40), value: g.view().getBigUint64(4096, true) };
    };
    expect(readCount()).toEqual({ errno: 0, n: 8, value: 3n });
    expect(readCount()).toEqual({ errno: E.deadlk });
    expect(g.write(fd, u64le(5n))).toEqual([0, 8]);
    expect(g.write(fd, u64le(2n))).toEqual([0, 8]);
    expect(g.poll(fd)[1]).toMatchObject([{ nbytes: 8n, flags: 0 }]);
    expect(readCount()).toEqual({ errno: 0, n: 8, value: 7n });
    expect(g.call('fd_fdstat_set_flags', fd, NONBLOCK)).toBe(0);
    expect(readCount()).toEqual({ errno: E.again });
    expect(g.write(fd, u64le(0xffff_ffff_ffff_ffffn))[0]).toBe(E.inval);
    expect(g.write(fd, new Uint8Array(4))[0]).toBe(E.inval);
    expect(g.read(fd, 4)[0]).toBe(E.inval);
  });

  it('as a semaphore a read takes 1 at a time', async () => {
    const g = await wasixGuest();
    const [, fd] = g.fdOut('fd_event', 2n, 1);
    for (const expected of [1n, 1n]) {
      g.view().setUint32(32, 4096, true);
      g.view().setUint32(36, 8, true);
      expect(g.call('fd_read', fd, 32, 1, 40)).toBe(0);
      expect(g.view().getBigUint64(4096, true)).toBe(expected);
    }
    expect(g.read(fd, 8)[0]).toBe(E.deadlk);
  });

  it('the counter stops at 2^64 - 2: past it a write would wait, and a larger initial value is refused', async () => {
    const g = await wasixGuest();
    const max = 0xffff_ffff_ffff_fffen;
    expect(g.fdOut('fd_event', max + 1n, 0)[0]).toBe(E.inval);
    expect(g.fdOut('fd_event', 0n, 2)[0]).toBe(E.inval); // unknown flag
    const [, fd] = g.fdOut('fd_event', max, 0);
    expect(g.write(fd, u64le(1n))[0]).toBe(E.deadlk);
    expect(g.call('fd_fdstat_set_flags', fd, NONBLOCK)).toBe(0);
    expect(g.write(fd, u64le(1n))[0]).toBe(E.again);
    expect(g.write(fd, u64le(0n))).toEqual([0, 8]);
  });
});

describe('fd_pipe with threads (calls parked by blocking.ts)', () => {
  it('a blocking read of an empty pipe parks the call instead of deadlk, and completes once bytes are there', async () => {
    const { parkingWaits, Blocked } = await import('../../src/kernel/blocking.js');
    const g = await wasixGuest();
    const [a, b] = g.pipe();
    expect(() => parkingWaits(performance.now(), () => g.read(b, 4))).toThrow(Blocked);
    g.write(a, 'now');
    expect(parkingWaits(performance.now(), () => g.read(b, 4))).toEqual([0, 'now']);
  });

  it('pipe once every reader is gone: a duplicated reader keeps the pipe open', async () => {
    const g = await wasixGuest();
    const [a, b] = g.pipe();
    const [, dup] = g.fdOut('fd_dup', b);
    expect(g.call('fd_close', b)).toBe(0);
    expect(g.write(a, 'x')).toEqual([0, 1]);
    expect(g.call('fd_close', dup)).toBe(0);
    expect(g.write(a, 'x')[0]).toBe(E.pipe);
  });
});
