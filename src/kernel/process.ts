import type { Tty } from '../../generated/wasix/types.js';
import { GuestMemory } from '../abi/memory.js';
import type { ThreadImage } from '../threads/asyncify.js';
import type { ExecImage } from './programs.js';
import type { StringArray } from '../string-array.js';
import type { HostTerminal } from '../terminal.js';
import type { ProcessNetwork } from '../sockets/wasix-socket.js';
import { closeAll, type FdTable } from './fd-table.js';
import type { FastFds } from '../fast-fds.js';
import type { ClockSource, Kernel } from './kernel.js';
import type { ExitStatus } from './process-table.js';
import { ProcessSignals } from './signals.js';

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
  /**
   * The image thread `tid` sent before its `proc_fork` reached the kernel (undefined until it has
   * arrived), removed: the thread unwound to its entry, which the child resumes.
   */
  takeForkImage(tid: number): ThreadImage | undefined;
  /** Thread `tid` goes on as vfork's `child` (its calls are the child's) until the child execs or exits. */
  vfork(tid: number, child: VforkChild): void;
}

/** A vfork's child while it runs on its parent's thread: its own import functions, and what happens when it is over. */
export interface VforkChild {
  readonly pid: number;
  /** Its import functions, by module and name (made for it, over the parent's memory). */
  readonly imports: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Before each of its calls. */
  beforeCall(): void;
  /** It called proc_exec* (`exec`: the new image to start) or proc_exit, or lost the thread it ran on (`killed`). */
  ended(end: { readonly exec: ExecImage } | { readonly exitCode: number } | { readonly killed: ExitStatus }): void;
}

/** What a process starts with. */
export interface ProcessInit {
  readonly memory: GuestMemory;
  readonly args: StringArray;
  readonly env: StringArray;
  readonly fds: FdTable;
  /** The host's terminal, when the platform has one: tty_get reports its size, tty_set its raw mode. */
  readonly terminal?: HostTerminal;
  /** The parent's pid; 0 for a process without a parent (as Wasmer's proc_parent answers). */
  readonly parent?: number;
  /** The host's network and what the embedder granted (`options.network`); none by default. */
  readonly network?: ProcessNetwork;
}

/**
 * One guest program, as Wasmer's `WasiProcess` and Linux's `task_struct` keep one: its memory and
 * instance, args, env, fd table, working directory, terminal record, signals, threads, and its place
 * in the process table. The handlers are functions of it.
 */
export class Process {
  readonly kernel: Kernel;
  readonly pid: number;
  /** The parent's pid, 0 for none. */
  readonly parent: number;
  readonly memory: GuestMemory;
  /** Replaced by exec. */
  args: StringArray;
  env: StringArray;
  readonly fds: FdTable;
  readonly terminal: HostTerminal | undefined;
  /** The host's network and the grants: WASIX sockets go through it. */
  readonly network: ProcessNetwork | undefined;
  /** Pending signals, the guest's signal callback, interval timers. */
  readonly signals: ProcessSignals;
  /** The working directory `getcwd` reports and `chdir` sets (absolute, in the guest's namespace). */
  cwd = '/';
  /** The record `tty_set` stored for `tty_get`, until which tty_get describes a terminal in canonical mode. */
  tty: Tty | undefined;
  /** The guest instance's exports once it has started: WASIX calls the signal callback the guest names there. */
  exports?: WebAssembly.Exports;
  /** Set while `WASI.run` runs a threaded program (src/threads/dispatcher.ts): the thread group. */
  threads?: ThreadHost;
  /** While this process is vfork's child: its parent's thread group, on one of whose threads it runs. */
  borrowedThreads?: ThreadHost;
  /** How the process ended, once it has (a zombie until its parent reaps it). */
  status: ExitStatus | undefined;
  /** While it runs in workers that serve its pipes themselves: the map they read (fast-fds.ts). */
  #fast: FastFds | undefined;

  constructor(kernel: Kernel, init: ProcessInit) {
    this.kernel = kernel;
    this.pid = kernel.processes.allocate();
    this.parent = init.parent ?? 0;
    this.memory = init.memory;
    this.args = init.args;
    this.env = init.env;
    this.fds = init.fds;
    this.terminal = init.terminal;
    this.network = init.network;
    this.signals = new ProcessSignals(this);
    kernel.processes.add(this);
  }

  get clock(): ClockSource {
    return this.kernel.clock;
  }

  get randomFill(): (into: Uint8Array) => void {
    return this.kernel.randomFill;
  }

  /** Sleeps without spinning; used by poll_oneoff. */
  get sleepNs(): (ns: bigint) => void {
    return this.kernel.sleepNs;
  }

  /**
   * A child copied from this process for `proc_fork` (in the process table, `again` past its limit):
   * the same args, env, working directory, terminal record and signal dispositions, and an fd table
   * sharing every open description (close-on-exec flags included), as POSIX fork says. Its memory is
   * bound by the launcher.
   */
  fork(): Process {
    const fds = this.fds.clone(() => true);
    let child: Process;
    try {
      child = new Process(this.kernel, { memory: new GuestMemory(), args: this.args, env: this.env, fds, terminal: this.terminal, parent: this.pid, network: this.network });
    } catch (err) {
      // Refused (`again`): the clone must not hold the descriptions open (a pipe would never read its end).
      closeAll(fds);
      throw err;
    }
    child.cwd = this.cwd;
    child.tty = this.tty;
    child.signals.inheritFrom(this.signals);
    return child;
  }

  get fast(): FastFds | undefined {
    return this.#fast;
  }

  /** Lets workers serve this process's pipe fds (`fast`: the map they read), or no longer (undefined). */
  serveFast(fast: FastFds | undefined): void {
    this.#fast = fast;
    this.fds.observe(fast);
    this.signals.syncAttention();
  }

  /** Sleeps `ms` through the kernel's sleep, which takes nanoseconds. */
  readonly sleepMs = (ms: number): void => this.kernel.sleepNs(BigInt(Math.ceil(ms * 1e6)));
}
