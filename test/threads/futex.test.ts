// futex_wait / futex_wake / futex_wake_all as a guest sees them, without timing anything.
// With a shared memory, the other waiters are the host's own Atomics.waitAsync on the same word:
// they meet futex_wake as a guest thread's wait would (one waiter list per address, as on Linux),
// and each is queued for certain before the wake, so how many a wake releases can be counted.
import { describe, expect, it } from 'vitest';
import { Bool, Errno } from '../../generated/wasix/types.js';
import { WASI } from '../../src/index.js';
import { wat } from '../runtime/harness.js';

// Atomics.waitAsync is ES2024 (Node has it since 16), past the lib this project compiles against.
type WaitAsync = (a: Int32Array, index: number, value: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

const WORD = 256;
const OUT = 512;
const TIMEOUT = 528; // option<timestamp>: tag u8 at 0, timestamp u64 at 8

/** A WASIX reactor over a one-page memory (shared or not), exporting forwarders to the futex calls. */
async function reactor(shared: boolean) {
  const module = await wat(`(module
    (import "wasix_32v1" "futex_wait" (func $wait (param i32 i32 i32 i32) (result i32)))
    (import "wasix_32v1" "futex_wake" (func $wake (param i32 i32) (result i32)))
    (import "wasix_32v1" "futex_wake_all" (func $wake_all (param i32 i32) (result i32)))
    (memory (export "memory") 1 1 ${shared ? 'shared' : ''})
    (func (export "_initialize"))
    (func (export "wait") (param i32 i32 i32 i32) (result i32) local.get 0 local.get 1 local.get 2 local.get 3 call $wait)
    (func (export "wake") (param i32 i32) (result i32) local.get 0 local.get 1 call $wake)
    (func (export "wake_all") (param i32 i32) (result i32) local.get 0 local.get 1 call $wake_all))`);
  const wasi = new WASI({ version: 'wasix', stdout: () => {}, stderr: () => {} });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
  wasi.initialize(instance);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const fn = instance.exports as Record<string, (...a: number[]) => number>;
  const view = () => new DataView(memory.buffer);
  /** [errno, the bool written at OUT]; OUT is primed with 0xaa so an unwritten bool shows. */
  const outcome = (errno: number) => [errno, errno === Errno.success ? view().getUint8(OUT) : 'unwritten'] as const;
  const prime = () => view().setUint8(OUT, 0xaa);
  return {
    memory,
    view,
    /** futex_wait on WORD for `expected`, with no timeout or `timeoutNs`. */
    wait(expected: number, timeoutNs?: bigint) {
      view().setUint8(TIMEOUT, timeoutNs === undefined ? 0 : 1);
      view().setBigUint64(TIMEOUT + 8, timeoutNs ?? 0n, true);
      prime();
      return outcome(fn.wait!(WORD, expected, TIMEOUT, OUT));
    },
    wake: () => (prime(), outcome(fn.wake!(WORD, OUT))),
    wakeAll: () => (prime(), outcome(fn.wake_all!(WORD, OUT))),
  };
}

describe('futex_wait on a program without threads (an unshared memory)', () => {
  it('compares the value: one that differs returns at once, woken, even with no timeout', async () => {
    const g = await reactor(false);
    g.view().setInt32(WORD, 5, true);
    expect(g.wait(4)).toEqual([Errno.success, Bool.true]);
  });

  it('with the value equal and a timeout, returns timed out (woken = false)', async () => {
    const g = await reactor(false);
    g.view().setInt32(WORD, -7, true);
    expect(g.wait(-7, 1000n)).toEqual([Errno.success, Bool.false]);
  });

  it('with the value equal and no timeout, would wait forever: deadlk, nothing written', async () => {
    const g = await reactor(false);
    g.view().setInt32(WORD, 3, true);
    expect(g.wait(3)).toEqual([Errno.deadlk, 'unwritten']);
    expect(g.view().getUint8(OUT)).toBe(0xaa);
  });
});

describe('futex_wake and futex_wake_all with two waiters (a shared memory)', () => {
  /** Two waiters queued on WORD now, as promises that settle with 'ok' when woken. */
  function twoWaiters(memory: WebAssembly.Memory) {
    const words = new Int32Array(memory.buffer);
    const waits = [0, 1].map(() => waitAsync(words, WORD / 4, 0));
    for (const w of waits) expect(w.async, 'the waiter is queued').toBe(true);
    return waits.map((w) => w.value as Promise<string>);
  }

  it('futex_wake wakes exactly one: a second wake still finds the other waiting', async () => {
    const g = await reactor(true);
    const waits = twoWaiters(g.memory);
    expect(g.wake()).toEqual([Errno.success, Bool.true]);
    expect(await Promise.any(waits)).toBe('ok');
    expect(g.wake()).toEqual([Errno.success, Bool.true]);
    expect(await Promise.all(waits)).toEqual(['ok', 'ok']);
    expect(g.wake()).toEqual([Errno.success, Bool.false]);
  });

  it('futex_wake_all wakes both: nothing is left for a wake after it', async () => {
    const g = await reactor(true);
    const waits = twoWaiters(g.memory);
    expect(g.wakeAll()).toEqual([Errno.success, Bool.true]);
    expect(g.wake()).toEqual([Errno.success, Bool.false]);
    expect(await Promise.all(waits)).toEqual(['ok', 'ok']);
  });
});
