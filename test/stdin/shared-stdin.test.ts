import { describe, expect, it } from 'vitest';
import { WASI, WasiOptionError } from '../../src/index.js';
import { SharedStdin } from '../../src/stdin/shared-stdin.js';
import { runWasiKit } from '../helpers/run-program.js';

describe('SharedStdin', () => {
  it('carries bytes across its wrap-around point, then end of file', () => {
    const ring = new SharedStdin(16);
    const reader = new SharedStdin(ring.buffer).source();
    const into = new Uint8Array(10);
    expect(ring.write('0123456789')).toBe(10);
    expect(reader.read(into)).toBe(10);
    expect(ring.write('abcdefghijklmnopq')).toBe(16); // full: the 17th byte does not fit
    expect(reader.readiness!()).toEqual({ nbytes: 16n, hangup: false });
    expect(new TextDecoder().decode(into.subarray(0, reader.read(into)))).toBe('abcdefghij');
    ring.end();
    expect(new TextDecoder().decode(into.subarray(0, reader.read(into)))).toBe('klmnop');
    expect(reader.read(into)).toBe(0);
    expect(reader.readiness!()).toEqual({ nbytes: 0n, hangup: true });
    expect(() => ring.write('x')).toThrow(/after end/);
  });

  it('eof(): one read of 0 after the bytes written before it, then reading goes on (a terminal\'s Ctrl-D)', () => {
    const ring = new SharedStdin(64);
    const reader = new SharedStdin(ring.buffer).source();
    const into = new Uint8Array(64);
    const read = () => new TextDecoder().decode(into.subarray(0, reader.read(into)));
    ring.write('line one\n');
    ring.eof();
    ring.eof(); // the same one, not read yet
    ring.write('after\n');
    expect(reader.readiness!()).toEqual({ nbytes: 9n, hangup: false });
    expect(read()).toBe('line one\n');
    expect(reader.readiness!()).toEqual({ nbytes: 0n, hangup: false });
    expect(reader.read(into)).toBe(0);
    expect(read()).toBe('after\n');
    expect(reader.readiness!()).toBeUndefined();
    ring.eof();
    expect(reader.read(into)).toBe(0);
    ring.end();
    ring.eof(); // after end(): end of file for good already
    expect(reader.read(into)).toBe(0);
    expect(reader.readiness!()).toEqual({ nbytes: 0n, hangup: true });
  });

  it('is not ready while empty and open', () => {
    expect(new SharedStdin().source().readiness!()).toBeUndefined();
  });

  it('refuses a capacity that is not a power of two', () => {
    expect(() => new SharedStdin(100)).toThrow(RangeError);
  });

  it('feeds a guest as options.stdin', async () => {
    const ring = new SharedStdin(1024);
    await ring.writeAll('through the ring\n');
    ring.end();
    const r = runWasiKit('stdin-echo', { stdin: ring as never });
    expect(r.stdout.toString()).toBe('through the ring\n');
    expect(r.stderr.toString()).toBe('bytes=17\n');
  });
});

describe('options.stdin and options.preopenSockets validation', () => {
  const optionOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof WasiOptionError ? [e.code, e.option] : e;
    }
    return undefined;
  };
  it('names the option at fault', () => {
    expect(optionOf(() => new WASI({ stdin: { readable: true } as never }))).toEqual(['ERR_INVALID_ARG_VALUE', 'options.stdin']);
    expect(optionOf(() => new WASI({ stdin: {} as never }))).toEqual(['ERR_INVALID_ARG_TYPE', 'options.stdin']);
    expect(optionOf(() => new WASI({ preopenSockets: {} as never }))).toEqual(['ERR_INVALID_ARG_TYPE', 'options.preopenSockets']);
    expect(optionOf(() => new WASI({ preopenSockets: [{ port: 80 }] as never }))).toEqual(['ERR_INVALID_ARG_TYPE', 'options.preopenSockets[0]']);
  });
});
