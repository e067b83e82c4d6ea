import { sleepUntil } from './blocking.js';
import { ProcessTable } from './process-table.js';

/** Clock ids as named in preview1's `$clockid`. */
export type ClockName = 'realtime' | 'monotonic' | 'process_cputime_id' | 'thread_cputime_id';

/** A source of time: the host's by default, injectable for deterministic runs. */
export interface ClockSource {
  /** Nanoseconds of the named clock. */
  now(clock: ClockName): bigint;
  /** Resolution of the named clock in nanoseconds. */
  resolution(clock: ClockName): bigint;
}

/** What a kernel is made from: its clocks, its randomness and how it sleeps. */
export interface KernelServices {
  readonly clock: ClockSource;
  readonly randomFill: (into: Uint8Array) => void;
  /** Blocks the calling thread for `ns` without spinning (the platform's sleep). */
  readonly hostSleepNs: (ns: bigint) => void;
  /** Processes alive or unreaped at once, the first included (default 64). */
  readonly maxProcesses?: number;
}

/**
 * What every process of one run shares, as Linux's kernel is shared by its tasks: clocks, random
 * bytes, the way a call waits (kernel/blocking.ts, the scheduler) and the process table.
 */
export class Kernel {
  readonly clock: ClockSource;
  readonly randomFill: (into: Uint8Array) => void;
  readonly processes: ProcessTable;
  /** Sleeps without spinning; parks the call instead when the program is threaded (blocking.ts). */
  readonly sleepNs: (ns: bigint) => void;

  constructor(services: KernelServices) {
    this.clock = services.clock;
    this.randomFill = services.randomFill;
    this.processes = new ProcessTable(services.maxProcesses);
    const sleep = services.hostSleepNs;
    this.sleepNs = (ns) => sleepUntil(performance.now() + Number(ns) / 1e6, (ms) => sleep(BigInt(Math.round(ms * 1e6))));
  }
}
