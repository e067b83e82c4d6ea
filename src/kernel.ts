import type { GuestMemory } from './abi/memory.js';
import type { FdTable } from './fd-table.js';
import type { StringArray } from './string-array.js';
import type { HostTerminal } from './terminal.js';

/** Clock ids as named in preview1's `$clockid`. */
export type ClockName = 'realtime' | 'monotonic' | 'process_cputime_id' | 'thread_cputime_id';

/** A source of time: the host's by default, injectable for deterministic runs. */
export interface ClockSource {
  /** Nanoseconds of the named clock. */
  now(clock: ClockName): bigint;
  /** Resolution of the named clock in nanoseconds. */
  resolution(clock: ClockName): bigint;
}

/** The state one running guest's syscalls act on; the handlers are functions of it. */
export interface Kernel {
  readonly memory: GuestMemory;
  readonly args: StringArray;
  readonly env: StringArray;
  readonly fds: FdTable;
  readonly clock: ClockSource;
  readonly randomFill: (into: Uint8Array) => void;
  /** Sleeps without spinning; used by poll_oneoff. */
  readonly sleepNs: (ns: bigint) => void;
  /** The guest instance's exports once it has started: WASIX calls the signal callback the guest names there. */
  exports?: WebAssembly.Exports;
  /** The host's terminal, when the platform has one: tty_get reports its size, tty_set its raw mode. */
  readonly terminal?: HostTerminal;
  /** Set while `WASI.run` runs a threaded program (src/threads/dispatcher.ts). */
  threads?: ThreadHost;
}

/** The kernel's side of a threaded program: the thread table and its workers. */
export interface ThreadHost {
  /**
   * Starts a thread running the guest's `wasi_thread_start(tid, startArg)`; `again` past the thread limit.
   * `stack`: its stack, when the spawn says (setjmp keeps and borrows it; bottom undefined when unknown).
   * `userData2023`: a thread of the 2023 ABI instead: `_start_thread(user_data_lo, user_data_hi)` with its
   * `__stack_pointer` set to `stack.top`.
   */
  spawn(startArg: number, stack?: { top: number; bottom: number | undefined }, userData2023?: bigint): number;
  /** Returns once thread `tid` has ended (or never existed); parks the call (blocking.ts) until then. */
  join(tid: number): void;
  /** How many threads the host can run at once. */
  readonly parallelism: number;
  /** The id of the thread whose syscall is running (undefined between calls). */
  readonly currentTid: number | undefined;
  /** Runs `thunk` within thread `tid`'s next syscall (false when no such thread is alive): signals for one thread. */
  onNextCall(tid: number, thunk: () => void): boolean;
}
