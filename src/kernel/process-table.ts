import type { Process } from './process.js';

/** The pid of the first process (and of its main thread): Wasmer numbers processes from 1. */
export const FIRST_PID = 1;

/** The processes of one kernel by pid (Wasmer's control plane, Linux's pid table). */
export class ProcessTable {
  readonly #byPid = new Map<number, Process>();
  #nextPid = FIRST_PID;

  /** A pid for a new process (pids are not reused while the kernel lives). */
  allocate(): number {
    return this.#nextPid++;
  }

  add(p: Process): void {
    this.#byPid.set(p.pid, p);
  }

  get(pid: number): Process | undefined {
    return this.#byPid.get(pid);
  }
}
