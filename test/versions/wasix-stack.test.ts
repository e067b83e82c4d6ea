// setjmp/longjmp (WASIX stack_checkpoint/stack_restore) over Binaryen's asyncify: C programs of our own
// (test/programs/wasix/setjmp.c on the caller's thread, threads/setjmp-threads.c in workers), and WAT
// for the edges (no asyncify, bad records and pointers).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { programPath } from '../helpers/run-program.js';
import { wat } from '../runtime/harness.js';
import { wasixEnum } from './guest.js';

const E = wasixEnum('errno');

async function runProgram(name: string, args: string[] = [], how: 'start' | 'run' = 'start') {
  const chunks: Uint8Array[] = [];
  const wasi = new WASI({ args: [name, ...args], stdout: (b) => void chunks.push(b), stderr: (b) => void chunks.push(b) });
  const bytes = readFileSync(programPath(name));
  let exitCode: number;
  if (how === 'run') exitCode = await wasi.run(bytes);
  else exitCode = wasi.start(await WebAssembly.instantiate(await WebAssembly.compile(bytes), wasi.getImportObject()));
  return { exitCode, stdout: Buffer.concat(chunks).toString('utf8') };
}

describe('setjmp/longjmp over asyncify (C)', () => {
  it('jumps across frames, nested, with 0 (setjmp returns 1), keeps live frames, and 10000 times without the stack moving', async () => {
    const { exitCode, stdout } = await runProgram('wasix/setjmp');
    expect(stdout).toBe(
      [
        'across: 42',
        'nested: outer 0',
        'nested: inner 0',
        'nested: inner 2',
        'nested: outer 3',
        'zero: longjmp(env, 0) made setjmp return 1',
        // A volatile local of setjmp's caller and data of its caller keep their values (C says so).
        'kept: volatile 11, owned by the caller 1',
        'loop: 10000 round trips',
        '',
      ].join('\n'),
    );
    expect(exitCode).toBe(0);
  });

  it('runs the same under run() (a program without threads runs on the caller thread there too)', async () => {
    const { exitCode, stdout } = await runProgram('wasix/setjmp', [], 'run');
    expect(stdout.split('\n')[0]).toBe('across: 42');
    expect(stdout).toContain('loop: 10000 round trips\n');
    expect(exitCode).toBe(0);
  });

  it('leaves a signal callback for a checkpoint of the code it interrupted (a shell on SIGINT)', async () => {
    const { exitCode, stdout } = await runProgram('wasix/setjmp', ['signal']);
    expect(stdout).toBe('signal: callback for 10\nsignal: setjmp returned 110\n');
    expect(exitCode).toBe(0);
  });

  it('a longjmp after the frame that called setjmp returned (undefined in C) brings that frame back as it was, in the guest only', async () => {
    const { exitCode, stdout } = await runProgram('wasix/setjmp', ['stale']);
    expect(stdout).toBe('stale: setjmp returned 0\nstale: setjmp returned 1\nstale: setjmp returned 2\nstale: setjmp returned 3\nstale: done\n');
    expect(exitCode).toBe(0);
    // The host is unharmed: the next run is as the first.
    expect((await runProgram('wasix/setjmp')).stdout.split('\n')[0]).toBe('across: 42');
  });

  it('works in workers: the main thread and two WASIX threads jump 1000 times each at once', async () => {
    const { exitCode, stdout } = await runProgram('threads/setjmp-threads', [], 'run');
    expect(stdout).toBe('main: 1000 jumps\nthread 0: 1000 jumps\nthread 1: 1000 jumps\n');
    expect(exitCode).toBe(0);
  });

  it("a jump to another thread's checkpoint traps", async () => {
    await expect(runProgram('threads/setjmp-threads', ['1'], 'run')).rejects.toThrow(/stack_restore: inval: the record is not a checkpoint of this thread/);
  });
});

/** A WASIX guest whose `_start` ends with `proc_exit(body's i32)`; a record area at 64, out-value at 128. */
const guest = (body: string, extra = '') => `(module
  (import "wasix_32v1" "stack_checkpoint" (func $checkpoint (param i32 i32) (result i32)))
  (import "wasix_32v1" "stack_restore" (func $restore (param i32 i64)))
  (import "wasix_32v1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  ${extra}
  (func (export "_start") (call $exit ${body})))`;

/**
 * Exports that look like asyncify's (doing nothing) and a stack pointer: enough for the host to accept
 * the module, so that what it checks before unwinding can be tested without Binaryen.
 */
const FAKE_ASYNCIFY = `
  (global (export "__stack_pointer") (mut i32) (i32.const 4096))
  (func (export "asyncify_start_unwind") (param i32))
  (func (export "asyncify_stop_unwind"))
  (func (export "asyncify_start_rewind") (param i32))
  (func (export "asyncify_stop_rewind"))`;

async function start(text: string): Promise<number> {
  const wasi = new WASI({ version: 'wasix' });
  return wasi.start(await WebAssembly.instantiate(await wat(text), wasi.getImportObject()));
}

describe('stack_checkpoint/stack_restore at the edges (WAT)', () => {
  it('a module without asyncify gets notsup from stack_checkpoint, and nothing is written', async () => {
    expect(await start(guest(`(i32.add (call $checkpoint (i32.const 64) (i32.const 128)) (i32.load (i32.const 64)))`))).toBe(E.notsup);
  });

  it('a module that exports no __stack_pointer gets notsup', async () => {
    const noSp = FAKE_ASYNCIFY.replace('(export "__stack_pointer")', '');
    expect(await start(guest(`(call $checkpoint (i32.const 64) (i32.const 128))`, noSp))).toBe(E.notsup);
  });

  it('stack_restore without asyncify traps (it returns no errno)', async () => {
    await expect(start(guest(`(call $restore (i32.const 64) (i64.const 1)) (i32.const 0)`))).rejects.toThrow(/stack_restore: notsup/);
  });

  it('bad record pointers: fault out of memory, inval misaligned; a bad out-pointer too', async () => {
    expect(await start(guest(`(call $checkpoint (i32.const 65528) (i32.const 128))`, FAKE_ASYNCIFY))).toBe(E.fault);
    expect(await start(guest(`(call $checkpoint (i32.const 68) (i32.const 128))`, FAKE_ASYNCIFY))).toBe(E.inval);
    expect(await start(guest(`(call $checkpoint (i32.const 64) (i32.const 65536))`, FAKE_ASYNCIFY))).toBe(E.fault);
    await expect(start(guest(`(call $restore (i32.const 65528) (i64.const 1)) (i32.const 0)`, FAKE_ASYNCIFY))).rejects.toThrow(/stack_restore: \[65528, 65552\) is outside guest memory/);
  });

  it('a record the host did not write (zeros, or forged) traps', async () => {
    await expect(start(guest(`(call $restore (i32.const 64) (i64.const 1)) (i32.const 0)`, FAKE_ASYNCIFY))).rejects.toThrow(/not a checkpoint of this thread/);
    const forged = `(i64.store (i32.const 64) (i64.const 1)) (i64.store (i32.const 80) (i64.const 1))`;
    await expect(start(guest(`(block (result i32) ${forged} (call $restore (i32.const 64) (i64.const 1)) (i32.const 0))`, FAKE_ASYNCIFY))).rejects.toThrow(/not a checkpoint of this thread/);
  });

  it('an export the host did not start (a reactor called by the embedder) gets notsup: nothing to unwind to', async () => {
    const wasi = new WASI({ version: 'wasix' });
    const instance = await WebAssembly.instantiate(
      await wat(`(module
        (import "wasix_32v1" "stack_checkpoint" (func $checkpoint (param i32 i32) (result i32)))
        (memory (export "memory") 1)
        ${FAKE_ASYNCIFY}
        (func (export "_initialize"))
        (func (export "setjmp") (result i32) (call $checkpoint (i32.const 64) (i32.const 128))))`),
      wasi.getImportObject(),
    );
    wasi.initialize(instance);
    expect((instance.exports.setjmp as () => number)()).toBe(E.notsup);
  });
});
