import { Signal } from '../../generated/wasix/types.js';
import { WasiError } from '../abi/errno-of.js';
import type { Process } from './process.js';

/** The pid of the first process (and of its main thread): Wasmer numbers processes from 1. */
export const FIRST_PID = 1;

/** How a process ended: its exit code, or the signal that ended it (as a wait status tells them apart). */
export type ExitStatus = { readonly code: number } | { readonly signal: number };

/** The exit code a shell reports for a status: the code, or 128 + the signal number. */
export const exitCodeOf = (s: ExitStatus): number => ('code' in s ? s.code : 128 + s.signal);

/**
 * The processes of one kernel by pid, with their family (Wasmer's control plane, Linux's pid table):
 * a process that ends stays as a zombie holding its status until its parent reaps it (`wait`); its
 * parent gets SIGCHLD. `maxProcesses` bounds the live and zombie processes together, so a spawn storm
 * or fork bomb gets `again` (Linux's RLIMIT_NPROC) rather than exhausting the host.
 */
export class ProcessTable {
  readonly #byPid = new Map<number, Process>();
  #nextPid = FIRST_PID;
  /** Called whenever a process ends (a parked wait may now complete). */
  readonly #onExit = new Set<(p: Process) => void>();

  constructor(readonly maxProcesses = 64) {}

  /** A pid for a new process (pids are not reused while the kernel lives); `again` past the limit. */
  allocate(): number {
    if (this.#byPid.size >= this.maxProcesses) throw new WasiError('again', `process limit (${this.maxProcesses}) reached`);
    return this.#nextPid++;
  }

  add(p: Process): void {
    this.#byPid.set(p.pid, p);
  }

  /** Removes `p`, which never ran (its start failed): no zombie, no SIGCHLD. */
  forget(p: Process): void {
    if (this.#byPid.get(p.pid) === p) this.#byPid.delete(p.pid);
  }

  get(pid: number): Process | undefined {
    return this.#byPid.get(pid);
  }

  /** Every process not yet reaped, zombies included. */
  all(): IterableIterator<Process> {
    return this.#byPid.values();
  }

  /** The children of `parent` not yet reaped. */
  children(parent: number): Process[] {
    return [...this.#byPid.values()].filter((p) => p.parent === parent);
  }

  /** Records that `p` has ended with `status`: it becomes a zombie, and its parent gets SIGCHLD. */
  exited(p: Process, status: ExitStatus): void {
    if (p.status !== undefined) return;
    p.status = status;
    // Orphans are reaped by nobody: a process whose parent is gone leaves no zombie (init would reap it).
    const parent = this.#byPid.get(p.parent);
    if (!parent || parent.status !== undefined) this.#byPid.delete(p.pid);
    else parent.signals.raise(Signal.chld);
    // Its own zombie children are orphans now.
    for (const c of this.children(p.pid)) if (c.status !== undefined) this.#byPid.delete(c.pid);
    for (const f of this.#onExit) f(p);
  }

  /**
   * For `wait`: an ended child of `parent` (`pid`, or any when undefined), removed from the table; undefined
   * when the children asked for are all still running; `child` when there is no such child at all.
   */
  reap(parent: number, pid: number | undefined): Process | undefined {
    const candidates = pid === undefined ? this.children(parent) : [this.#byPid.get(pid)].filter((p): p is Process => p !== undefined && p.parent === parent);
    if (candidates.length === 0) throw new WasiError('child', pid === undefined ? 'no children' : `process ${pid} is not a child of ${parent}`);
    const done = candidates.find((p) => p.status !== undefined);
    if (done) this.#byPid.delete(done.pid);
    return done;
  }

  /**
   * The foreground group of a terminal, which its Ctrl-C interrupts: every process still running that
   * shares `terminal`, newest first. WASIX has no process groups (no setpgid): the processes of one
   * terminal are one group, as under a shell without job control (`sh -c`, a script), where every
   * process of the session is in the foreground and the shell ignores SIGINT while it waits for a
   * command (POSIX, Shell Command Language 2.11), so a Ctrl-C ends the command (every stage of a
   * pipeline, a child's children) and the shell prompts again.
   */
  foreground(terminal: unknown): Process[] {
    return [...this.#byPid.values()].filter((p) => p.status === undefined && p.terminal === terminal).sort((a, b) => b.pid - a.pid);
  }

  /** Calls `f` whenever a process ends; returns the function that stops it. */
  onExit(f: (p: Process) => void): () => void {
    this.#onExit.add(f);
    return () => this.#onExit.delete(f);
  }
}
