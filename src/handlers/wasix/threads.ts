import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { OPTION_TIMESTAMP, readOptionTimestamp, THREAD_START } from '../../../generated/wasix/layout.js';
import { Bool } from '../../../generated/wasix/types.js';
import { Unwind, WasiError } from '../../abi/errno-of.js';
import type { GuestMemory } from '../../abi/memory.js';
import { callStartMs, sleepUntil, waitForOtherThreads } from '../../kernel/blocking.js';
import { ProcExit } from '../../errors.js';
import type { Process } from '../../kernel/process.js';

/** The thread and futex calls of WASIX. */
export const THREAD_CALLS = [
  'thread_spawn_v2',
  'thread_id',
  'thread_join',
  'thread_exit',
  'thread_sleep',
  'thread_parallelism',
  'thread_signal',
  'futex_wait',
  'futex_wake',
  'futex_wake_all',
] as const;
export type ThreadCalls = (typeof THREAD_CALLS)[number];

/**
 * The calls that only a threaded program makes: importing one makes `run()` run the program threaded
 * (wasi-threads' `wasi.thread-spawn` does too).
 */
export const THREADED_PROGRAM_CALLS: ReadonlySet<ThreadCalls> = new Set(['thread_spawn_v2', 'thread_join', 'thread_signal', 'futex_wait', 'futex_wake', 'futex_wake_all']);

/**
 * The calls a guest thread answers itself, in its own worker, without the kernel: they concern only
 * that thread and the shared memory (waiting on a futex is `Atomics.wait` of that thread).
 */
export const THREAD_LOCAL_CALLS = ['futex_wait', 'futex_wake', 'futex_wake_all', 'thread_id', 'thread_exit'] as const;
export type ThreadLocalCall = (typeof THREAD_LOCAL_CALLS)[number];

/** What a thread's own calls act on: its id, the memory, and whether it may block (a worker may, the only thread of `start()` may not wait for others). */
export interface ThreadSelf {
  readonly tid: number;
  readonly memory: GuestMemory;
  /** Ends this thread (a worker: unwinds it; the only thread: ends the process). */
  exit(rval: number): never;
  /** Sleeps `ms`: used only when the memory is not shared, so no other thread can wake the futex. */
  sleepMs(ms: number): void;
}

/**
 * Thrown in a worker to unwind a guest thread that called `thread_exit`. Not a `ProcExit`: a thread's
 * end is not the process's, so a `catch` for one must never take the other.
 */
export class ThreadExit extends Unwind {
  constructor(readonly exitCode: number) {
    super(`guest thread exited with ${exitCode}`);
    this.name = 'ThreadExit';
  }
}

let words: Int32Array<ArrayBufferLike> = new Int32Array(0);
const int32s = (m: GuestMemory): Int32Array<ArrayBufferLike> => {
  const buffer = m.u8.buffer;
  if (words.buffer !== buffer || words.length !== m.u8.length >>> 2) words = new Int32Array(buffer, 0, m.u8.length >>> 2);
  return words;
};

/**
 * futex_wait/wake/wake_all, thread_id and thread_exit for one thread. On a shared memory they are
 * `Atomics.wait`/`Atomics.notify`, so they also meet the guest's own `memory.atomic.wait32`/`notify`.
 * On an unshared memory (a program run by `start()`) no other thread exists: a futex holding the
 * expected value can only time out, and one without a timeout would wait forever (`deadlk`).
 */
export function threadLocalHandlers(self: ThreadSelf): Pick<Wasix32v1, ThreadLocalCall> {
  const m = self.memory;
  const futex = (ptr: number): number => {
    m.checkAligned(ptr, 4, 4);
    return ptr >>> 2;
  };
  const shared = () => typeof SharedArrayBuffer !== 'undefined' && m.u8.buffer instanceof SharedArrayBuffer;
  /** Wakes up to `count` waiters (all when undefined); with no other thread there are none. */
  const wake = (ptr: number, count?: number) => {
    const at = futex(ptr);
    return shared() && Atomics.notify(int32s(m), at, count) > 0 ? Bool.true : Bool.false;
  };
  return {
    // As Wasmer: success in every case, `woken` false only when the timeout expired (a value that
    // differs from `expected` returns at once, woken).
    futex_wait(ptr, expected, timeoutPtr) {
      const at = futex(ptr);
      m.checkAligned(timeoutPtr, OPTION_TIMESTAMP.SIZE, OPTION_TIMESTAMP.ALIGN);
      const timeout = readOptionTimestamp(m.view, timeoutPtr);
      const ms = timeout.tag === 'some' ? Number(timeout.value) / 1e6 : Infinity;
      const words = int32s(m);
      if (shared()) return Atomics.wait(words, at, expected | 0, ms) === 'timed-out' ? Bool.false : Bool.true;
      if (words[at] !== (expected | 0)) return Bool.true;
      if (ms === Infinity) throw new WasiError('deadlk', 'futex_wait without a timeout on the only thread would wait forever');
      self.sleepMs(ms);
      return Bool.false;
    },
    futex_wake: (ptr) => wake(ptr, 1),
    futex_wake_all: (ptr) => wake(ptr),
    thread_id: () => self.tid,
    thread_exit(rval) {
      self.exit(rval);
    },
  };
}

/**
 * WASIX's thread calls on the kernel. With `k.threads` (a program run by `WASI.run` with threads)
 * spawning and joining are real; without it the program has one thread and cannot start another.
 * The thread-local calls are answered here only for that single thread; a worker answers its own.
 */
export function wasixThreadHandlers(k: Process): Pick<Wasix32v1, ThreadCalls> {
  const { sleepMs } = k;
  const local = threadLocalHandlers({
    // A main thread's id is its process's, as in Wasmer.
    tid: k.pid,
    memory: k.memory,
    sleepMs,
    exit(rval) {
      // The main thread is the only thread: exiting it ends the process with `rval`, as the WITX says.
      throw new ProcExit(rval | 0);
    },
  });
  return {
    ...local,
    thread_spawn_v2(startPtr) {
      if (!k.threads) throw new WasiError('notsup', 'this program was started without threads: run it with WASI.run() (or the CLI), which gives threaded programs workers');
      // The new thread reads the record: it must lie in memory (Wasmer reads it first: fault, no alignment check).
      k.memory.check(startPtr, THREAD_START.SIZE);
      // Its `stack` is the top of the thread's stack (Wasmer's `stack_upper`) and `stack_size` its size:
      // setjmp keeps that stack and borrows its free part (src/threads/asyncify.ts).
      const top = k.memory.view.getUint32(startPtr + THREAD_START.stack, true);
      const size = k.memory.view.getUint32(startPtr + THREAD_START.stack_size, true);
      return k.threads.spawn(startPtr, { top, bottom: size > 0 && size <= top ? top - size : undefined });
    },
    thread_join(tid) {
      if (tid === k.pid && !k.threads) waitForOtherThreads('thread_join of the only thread');
      k.threads?.join(tid);
    },
    thread_parallelism: () => k.threads?.parallelism ?? 1,
    // The signal is delivered within that thread's next syscall (its callback runs on that thread), as
    // Wasmer delivers signals at syscalls; without threads the only thread is the caller.
    thread_signal(target, sig) {
      // Thread 0 is the main thread to the 2023 libc, whose main thread has no id of its own.
      const tid = target === 0 ? k.pid : target;
      const { signals } = k;
      if (!k.threads) {
        if (tid !== k.pid) throw new WasiError('srch', `no thread ${tid}`);
        signals.raise(sig);
        signals.deliver();
        return;
      }
      if (!k.threads.onNextCall(tid, () => (signals.raise(sig), signals.deliver()))) throw new WasiError('srch', `no thread ${tid}`);
    },
    // A relative sleep: a parked call (threads) counts from its first attempt.
    thread_sleep(duration) {
      sleepUntil(callStartMs() + Number(duration) / 1e6, sleepMs);
    },
  };
}
