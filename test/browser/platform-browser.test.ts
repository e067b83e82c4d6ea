// The browser platform's own logic, in Node with the browser's limits stubbed in: getRandomValues
// refusing big requests and shared memory, Atomics.wait refusing to block, the console as stdio.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WasiError } from '../../src/abi/errno-of.js';
import { ProcExit, WasiOptionError } from '../../src/errors.js';
import { browserPlatform as p } from '../../src/platform/browser.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('randomFill', () => {
  it('asks getRandomValues for at most 64 KiB at a time, never over shared memory', () => {
    const calls: number[] = [];
    const real = crypto.getRandomValues.bind(crypto);
    vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(view: T): T => {
      const v = view as unknown as Uint8Array;
      if (v.byteLength > 65_536) throw new Error('QuotaExceededError');
      if (v.buffer instanceof SharedArrayBuffer) throw new TypeError('shared views are refused');
      calls.push(v.byteLength);
      return real(v) as unknown as T;
    });
    for (const buffer of [new ArrayBuffer(200_000), new SharedArrayBuffer(200_000)]) {
      const into = new Uint8Array(buffer, 3, 150_000);
      p.randomFill(into);
      expect(new Set(into).size).toBe(256);
    }
    expect(calls).toEqual([65_536, 65_536, 18_928, 65_536, 65_536, 18_928]);
  });
});

describe('sleepNs', () => {
  it('is notsup where Atomics.wait may not block (a browser main thread)', () => {
    vi.spyOn(Atomics, 'wait').mockImplementation(() => {
      throw new TypeError('Atomics.wait cannot be called in this context');
    });
    expect(() => p.sleepNs(1_000_000n)).toThrow(WasiError);
    try {
      p.sleepNs(1n);
    } catch (e) {
      expect((e as WasiError).errno).toBe('notsup');
      expect((e as WasiError).message).toContain('worker');
    }
  });

  it("blocks for the time asked where Atomics.wait may block (a worker, and Node's main thread)", () => {
    // Time is all a sleep does, so the clock is the witness; only the lower bound is asserted, which
    // no load can break (a sleep cannot end early; it may end late). Sleeping ns as ms would hang the
    // test; sleeping ms as ns, or not at all, returns too soon.
    for (const ns of [2_500_000n, 20_000_000n]) {
      const t0 = process.hrtime.bigint();
      p.sleepNs(ns);
      expect(process.hrtime.bigint() - t0).toBeGreaterThanOrEqual(ns);
    }
  });
});

describe('stdio', () => {
  it('logs stdout and stderr per line, decoding UTF-8 split across writes, the rest after the run', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const check = new TextEncoder().encode('✓');
    p.hostOutput(1).write(new Uint8Array([...new TextEncoder().encode('one\ntw'), check[0]!]));
    p.hostOutput(1).write(new Uint8Array([check[1]!, check[2]!, 10, 10, 0x70]));
    p.hostOutput(2).write(new TextEncoder().encode('oops'));
    expect(log.mock.calls).toEqual([['one'], ['tw✓'], ['']]);
    expect(error.mock.calls).toEqual([]);
    await Promise.resolve();
    expect(log.mock.calls).toEqual([['one'], ['tw✓'], [''], ['p']]);
    expect(error.mock.calls).toEqual([['oops']]);
  });

  it('has an empty stdin and no other host fds', () => {
    expect(p.hostInput(0).read(new Uint8Array(8))).toBe(0);
    expect(() => p.hostInput(3)).toThrow(WasiOptionError);
    expect(() => p.hostOutput(7)).toThrow(/no host file descriptor 7/);
    expect(p.hostFdKind(1)).toBe('unknown');
    expect(p.hostFileSystem).toBeUndefined();
  });
});

describe('clocks and exit', () => {
  it('reads realtime from performance, on the epoch, at the coarsening HR-Time allows', () => {
    const realtime = p.realtimeNs();
    expect(Number(realtime / 1_000_000n)).toBeGreaterThanOrEqual(Date.now() - 1000);
    expect(Number(realtime / 1_000_000n)).toBeLessThanOrEqual(Date.now() + 1000);
    // Not cross-origin isolated (Node has no such notion): 100 µs.
    expect(p.resolutionNs).toEqual({ realtime: 100_000n, monotonic: 100_000n, cputime: 100_000n });
  });

  it('has no process to end: exit throws ProcExit with the code', () => {
    expect(() => p.exit(3)).toThrow(ProcExit);
    try {
      p.exit(3);
    } catch (e) {
      expect((e as ProcExit).exitCode).toBe(3);
    }
  });
});
