import type { GuestMemory } from './abi/memory.js';
import type { FdTable } from './fd-table.js';
import type { StringArray } from './string-array.js';

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
}
