import type { ThreadImage } from '../threads/asyncify.js';
import { sleepUntil } from './blocking.js';
import type { PipeArena } from './pipe-arena.js';
import type { Process } from './process.js';
import { ProcessTable, type ExitStatus } from './process-table.js';
import type { CommandSource, Program, ProgramCache } from './programs.js';

/** Clock ids as named in preview1's `$clockid`. */
export type ClockName = 'realtime' | 'monotonic' | 'process_cputime_id' | 'thread_cputime_id';

/** A source of time: the host's by default, injectable for deterministic runs. */
export interface ClockSource {
  /** Nanoseconds of the named clock. */
  now(clock: ClockName): bigint;
  /** Resolution of the named clock in nanoseconds. */
  resolution(clock: ClockName): bigint;
}

/** How processes are started, replaced and ended: set while `WASI.run` runs a program that uses processes (src/processes.ts). */
export interface Launcher {
  readonly programs: ProgramCache;
  /** The `commands` option's entry for a name or `/bin/<name>`, if any. */
  command(name: string): CommandSource | undefined;
  /** Starts `child` (already in the process table) running `program` in a worker of its own. */
  start(child: Process, program: Program): void;
  /**
   * Starts `child` (made by `parent.fork()`) as a copy of `parent`: a new memory holding a copy of the
   * parent's, the parent's program in a worker of its own, resuming the thread `image` describes.
   */
  fork(parent: Process, child: Process, image: ThreadImage): void;
  /** Runs `child` (made by `parent.fork()`) on the parent's thread `tid`, over its memory, until it execs or exits (vfork). */
  vfork(parent: Process, child: Process, tid: number): void;
  /** Ends `p` at once, wherever it is, with `status` (a signal from another process). */
  kill(p: Process, status: ExitStatus): void;
  /**
   * `nomem` when a new memory of `bytes` would take the run's processes past `maxMemory`; `replacing` is
   * the process whose memory it replaces (exec), not counted. Asked before anything is made.
   */
  admit(bytes: number, replacing?: Process): void;
  /** The bytes `p`'s memory has now (what a fork of it copies). */
  memoryBytes(p: Process): number;
}

/** What a kernel is made from: its clocks, its randomness and how it sleeps. */
export interface KernelServices {
  readonly clock: ClockSource;
  readonly randomFill: (into: Uint8Array) => void;
  /** Blocks the calling thread for `ns` without spinning (the platform's sleep). */
  readonly hostSleepNs: (ns: bigint) => void;
  /** Processes alive or unreaped at once, the first included (default 64). */
  readonly maxProcesses?: number;
  /** Bytes of memory the processes of a run may hold at once (default {@link DEFAULT_MAX_MEMORY}). */
  readonly maxMemory?: number;
}

/**
 * 8 GiB: two processes grown to wasm32's 4 GiB, or a shell and its commands at sizes programs have. A
 * fixed figure so that a run behaves the same on every host; set `maxMemory` lower on a small one.
 */
export const DEFAULT_MAX_MEMORY = 8 * 2 ** 30;

/**
 * What every process of one run shares, as Linux's kernel is shared by its tasks: clocks, random
 * bytes, the way a call waits (kernel/blocking.ts, the scheduler) and the process table.
 */
export class Kernel {
  readonly clock: ClockSource;
  readonly randomFill: (into: Uint8Array) => void;
  readonly processes: ProcessTable;
  /** Bytes of memory the processes of the run may hold at once (the `maxMemory` option). */
  readonly maxMemory: number;
  /**
   * The process whose syscall is running, when several run (set by the process runner): a stream shared
   * between processes (a pipe) waits as the process that reads it, not the one that made it.
   */
  current: Process | undefined;
  /** Set while processes can be started (WASI.run); undefined for a program run by `start()`. */
  launcher: Launcher | undefined;
  /** Where pipes go that workers may serve themselves (set while processes run in workers); else each pipe is the kernel's alone. */
  pipes: PipeArena | undefined;
  /** Sleeps without spinning; parks the call instead when the program is threaded (blocking.ts). */
  readonly sleepNs: (ns: bigint) => void;

  constructor(services: KernelServices) {
    this.clock = services.clock;
    this.randomFill = services.randomFill;
    this.processes = new ProcessTable(services.maxProcesses);
    this.maxMemory = services.maxMemory ?? DEFAULT_MAX_MEMORY;
    const sleep = services.hostSleepNs;
    this.sleepNs = (ns) => sleepUntil(performance.now() + Number(ns) / 1e6, (ms) => sleep(BigInt(Math.round(ms * 1e6))));
  }
}
