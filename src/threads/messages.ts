import type { ThreadImage } from './asyncify.js';
import type { ChannelFunction } from './channel.js';
import type { FastPipesInit } from './fast-pipes.js';

// The messages between the kernel and a guest thread's worker (syscalls do not use them: see channel.ts).

/** Kernel -> worker: what every thread of the program shares, sent once per worker. */
export interface InitMessage {
  readonly type: 'init';
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Where the module imports its memory from. */
  readonly memoryImport: { readonly module: string; readonly name: string };
  readonly doorbell: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  /** The imports that go through the channel, by index (so the worker needs no ABI data of its own). */
  readonly functions: readonly ChannelFunction[];
  /** The process's thread-local keys (a SharedArrayBuffer), when it has any. */
  readonly threadLocalKeys?: ArrayBufferLike;
  /** The kernel's pipe arena and the process's fd map: fd_read and fd_write on a pipe are served in the worker. */
  readonly fastPipes?: FastPipesInit;
}

/** Kernel -> worker: run a guest thread (`_start` for the main one, else `wasi_thread_start(tid, arg)`). */
export interface StartMessage {
  readonly type: 'start';
  readonly tid: number;
  readonly arg: number;
  readonly main: boolean;
  /** The thread's stack [bottom, top), when its spawn says (a WASIX `thread_start` record): setjmp keeps and borrows it. */
  readonly stack?: { readonly top: number; readonly bottom: number | undefined };
  /** A thread of the 2023 ABI: `_start_thread(lo, hi)` of this, with `__stack_pointer` set to the stack's top. */
  readonly userData2023?: bigint;
  /** A fork's child: instead of starting afresh, the main thread resumes the parent's forking thread (its `proc_fork` returns 0). */
  readonly fork?: ThreadImage;
  /** With `fork`: the memory instantiating the module writes (its data segments; undefined: any), kept as the copy holds it. */
  readonly forkKeeps?: readonly (readonly [number, number])[];
}

/** Worker -> kernel: the thread returned (`exitCode` set when it called `thread_exit`). */
export interface EndedMessage {
  readonly type: 'ended';
  readonly tid: number;
  readonly exitCode?: number;
}

/** Worker -> kernel: the thread trapped or could not start. */
export interface FailedMessage {
  readonly type: 'failed';
  readonly tid: number;
  /** `RuntimeError` for a trap, `LinkError` when the module cannot be instantiated, else the error's name. */
  readonly name: string;
  readonly message: string;
}

/** Worker -> kernel: the thread is about to call `proc_fork`, unwound to its entry as `image` says. */
export interface ForkMessage {
  readonly type: 'fork';
  readonly tid: number;
  readonly image: ThreadImage;
}

/** Kernel -> worker: the worker is idle, kept for another process: drop the last one's module and memory. */
export interface ResetMessage {
  readonly type: 'reset';
}

export type ToWorker = InitMessage | StartMessage | ResetMessage;
export type FromWorker = EndedMessage | FailedMessage | ForkMessage;
