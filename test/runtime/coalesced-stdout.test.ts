// `stdout: { fd, buffer: true }`: what reaches the host fd, and when (a temp file stands for the fd, so
// its size says what has been written).
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WASI, WasiOptionError } from '../../src/index.js';
import { boundWasi, wat } from './harness.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A fresh file opened for writing: its fd, how many bytes it holds, and its text. */
function outFile() {
  const dir = mkdtempSync(join(tmpdir(), 'wasi-kit-coalesce-'));
  const path = join(dir, 'out');
  const fd = openSync(path, 'w');
  cleanups.push(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  return { fd, size: () => fstatSync(fd).size, text: () => readFileSync(path, 'utf8') };
}

/** A command writing `text` to fd 1 in `times` single-iovec writes, then doing `then` (wat). */
function command(text: string, times: number, then = '') {
  return wat(`(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 100) "${text}")
    (func (export "_start") (local $i i32)
      (i32.store (i32.const 0) (i32.const 100))
      (i32.store (i32.const 4) (i32.const ${text.length}))
      (loop $l
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${times}))))
      ${then}))`);
}

describe('coalesced stdout (stdout: { fd, buffer: true })', () => {
  it('gathers writes to it and writes them before the next syscall that is not one', async () => {
    const out = outFile();
    const seen: number[] = [];
    const w = await boundWasi({ stdout: { fd: out.fd, buffer: true }, clock: { now: () => (seen.push(out.size()), 0n), resolution: () => 1n } });
    expect(w.write(1, 'ab')).toEqual([0, 2]);
    expect(w.write(1, 'cd')).toEqual([0, 2]);
    expect(out.size()).toBe(0);
    expect(w.call('clock_time_get', 1, 0n, 200)).toBe(0);
    expect(seen).toEqual([4]);
    expect(out.text()).toBe('abcd');
  });

  it('writes what it holds before a write to another fd, so the order against stderr holds', async () => {
    const out = outFile();
    const order: string[] = [];
    const w = await boundWasi({ stdout: { fd: out.fd, buffer: true }, stderr: (b) => order.push(`stderr ${new TextDecoder().decode(b)} after ${out.size()}`) });
    w.write(1, 'hello ');
    w.write(2, 'e');
    w.write(1, 'world');
    expect(order).toEqual(['stderr e after 6']);
    expect(out.size()).toBe(6);
  });

  it('writes a full buffer when the next write would not fit, and large writes through at once, in order', async () => {
    const out = outFile();
    const w = await boundWasi({ stdout: { fd: out.fd, buffer: true } });
    w.memory.grow(2);
    const big = 'x'.repeat(40_000);
    w.write(1, big);
    expect(out.size()).toBe(0);
    w.write(1, 'y'.repeat(40_000));
    expect(out.size()).toBe(40_000);
    w.write(1, 'z'.repeat(70_000));
    expect(out.size()).toBe(150_000);
    expect(out.text()).toBe(big + 'y'.repeat(40_000) + 'z'.repeat(70_000));
  });

  it('writes what is left when the program returns, exits with proc_exit or traps', async () => {
    for (const [then, expectCode] of [['', 0], ['(call $proc_exit (i32.const 3))', 3], ['(unreachable)', 'trap']] as const) {
      const out = outFile();
      const wasi = new WASI({ version: 'preview1', args: ['x'], stdout: { fd: out.fd, buffer: true }, returnOnExit: true });
      const instance = new WebAssembly.Instance(await command('hi', 3, then), wasi.getImportObject() as WebAssembly.Imports);
      if (expectCode === 'trap') expect(() => wasi.start(instance)).toThrow(WebAssembly.RuntimeError);
      else expect(wasi.start(instance)).toBe(expectCode);
      expect(out.text()).toBe('hihihi');
    }
  });

  it('writes what a reactor left once the JavaScript task that called it ends', async () => {
    const out = outFile();
    const w = await boundWasi({ stdout: { fd: out.fd, buffer: true } });
    w.write(1, 'later');
    expect(out.size()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(out.text()).toBe('later');
  });

  it('is off by default and with buffer: false: every write reaches the fd at once', async () => {
    for (const stdout of [(fd: number) => fd, (fd: number) => ({ fd, buffer: false })]) {
      const out = outFile();
      const w = await boundWasi({ stdout: stdout(out.fd) });
      w.write(1, 'ab');
      expect(out.size()).toBe(2);
    }
  });

  it('describes the fd as what it is (a regular file here)', async () => {
    const out = outFile();
    const w = await boundWasi({ stdout: { fd: out.fd, buffer: true } });
    const plain = await boundWasi({ stdout: out.fd });
    expect(w.fdstat(1).filetype).toBe(plain.fdstat(1).filetype);
    expect(w.fdstat(1).base).toBe(plain.fdstat(1).base);
  });

  it('rejects a bad fd or buffer flag, naming the option', () => {
    const optionOf = (stdout: unknown) => {
      try {
        new WASI({ version: 'preview1', stdout: stdout as number });
      } catch (err) {
        expect(err).toBeInstanceOf(WasiOptionError);
        return (err as WasiOptionError).option;
      }
      return undefined;
    };
    expect(optionOf({ fd: -1, buffer: true })).toBe('options.stdout.fd');
    expect(optionOf({ fd: 1.5, buffer: true })).toBe('options.stdout.fd');
    expect(optionOf({ buffer: true })).toBe('options.stdout.fd');
    expect(optionOf({ fd: 1, buffer: 'yes' })).toBe('options.stdout.buffer');
    expect(optionOf({ fd: 1 })).toBe('options.stdout.buffer');
  });
});
