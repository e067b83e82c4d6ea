import { Fdflagsext, Signal } from '../generated/wasix/types.js';
import { threadLocalsOf } from './handlers/wasix/abi2023.js';
import { closeAll } from './kernel/fd-table.js';
import type { Kernel, Launcher } from './kernel/kernel.js';
import type { Process } from './kernel/process.js';
import { exitCodeOf, type ExitStatus } from './kernel/process-table.js';
import { ProgramCache, type CommandSource, type Program } from './kernel/programs.js';
import type { ThreadPlatform } from './platform/platform.js';
import { StringArray } from './string-array.js';
import { ThreadDispatcher, type ProgramEnd, type ThreadLimits } from './threads/dispatcher.js';
import type { ThreadImage } from './threads/asyncify.js';
import { memoryFor } from './threads/module-imports.js';
import type { ImportModules } from './versions.js';

/** How the first process of a run ended: its exit code, or the error (a trap) that ended it. */
export type RunEnd = { exitCode: number } | { error: Error };

/**
 * Runs processes as `WASI.run` runs a threaded program: each in workers of its own over its own
 * shared memory, every syscall answered here by the handlers of its Process. Starts children
 * (proc_spawn), replaces images (proc_exec: same process, same pid), records how each ended in the
 * process table (its parent then reaps it), and when the first process ends, ends every other one:
 * `run()` resolves only once no worker of any process is left.
 */
export class ProcessRunner implements Launcher {
  readonly programs = new ProgramCache();
  readonly #running = new Map<Process, ThreadDispatcher>();
  /** The program each running process runs (a fork's child runs its parent's). */
  readonly #programs = new Map<Process, { program: Program; memory: WebAssembly.Memory }>();
  readonly #ended = new Set<Promise<unknown>>();
  #first: { p: Process; resolve: (end: RunEnd) => void; end?: RunEnd } | undefined;

  constructor(
    private readonly kernel: Kernel,
    private readonly importsFor: (p: Process) => ImportModules,
    private readonly platform: ThreadPlatform,
    private readonly limits: ThreadLimits,
    private readonly commands: ReadonlyMap<string, CommandSource>,
  ) {}

  command(name: string): CommandSource | undefined {
    return this.commands.get(name);
  }

  /** Runs the first process with `memory` (already bound to its GuestMemory); resolves once every process has ended. */
  async runFirst(p: Process, program: Program, memory: WebAssembly.Memory, imports: ImportModules): Promise<RunEnd> {
    const done = new Promise<RunEnd>((resolve) => (this.#first = { p, resolve }));
    this.#run(p, program, memory, imports);
    const end = await done;
    // Every other process has been ended: wait for their workers to be gone.
    while (this.#ended.size > 0) await Promise.all([...this.#ended]);
    return end;
  }

  start(child: Process, program: Program): void {
    const memory = memoryFor(program.memory);
    child.memory.bind(memory);
    this.#run(child, program, memory, this.importsFor(child));
  }

  fork(parent: Process, child: Process, image: ThreadImage): void {
    const running = this.#programs.get(parent);
    if (!running) throw new Error(`unreachable: process ${parent.pid} forks without running`);
    const { program, memory: from } = running;
    // The same limits, as large as the parent's is now; a copy of every byte (the forking thread's
    // unwound frames included: the child rewinds them).
    const source = new Uint8Array(from.buffer);
    const memory = new WebAssembly.Memory({ initial: source.byteLength / 65536, maximum: program.memory.maximum, shared: true } as WebAssembly.MemoryDescriptor);
    new Uint8Array(memory.buffer).set(source);
    child.memory.bind(memory);
    this.#run(child, program, memory, this.importsFor(child), image);
  }

  kill(p: Process, status: ExitStatus): void {
    const d = this.#running.get(p);
    if (d) d.kill({ exitCode: exitCodeOf(status), killed: status });
  }

  #run(p: Process, program: Program, memory: WebAssembly.Memory, imports: ImportModules, fork?: ThreadImage): void {
    const d: ThreadDispatcher = new ThreadDispatcher(program.module, memory, { module: program.memory.module, name: program.memory.name }, imports, this.platform, p === this.#first?.p ? this.limits : { ...this.limits, poolSize: 1 }, {
      params: program.params,
      threadLocalKeys: threadLocalsOf(p).keys.buffer,
      beforeCall: () => void (this.kernel.current = p),
      afterCall: () => this.#pokeOthers(d),
      fork: fork && { image: fork, keeps: program.data },
    });
    this.#programs.set(p, { program, memory });
    p.threads = d;
    p.exports = d.exports;
    this.#running.set(p, d);
    const ended = d.run().then((end) => {
      this.#ended.delete(ended);
      this.#onEnd(p, d, end, imports);
    });
    this.#ended.add(ended);
  }

  #pokeOthers(self: ThreadDispatcher): void {
    if (this.#running.size < 2) return;
    for (const d of this.#running.values()) if (d !== self) d.poke();
  }

  #onEnd(p: Process, d: ThreadDispatcher, end: ProgramEnd, imports: ImportModules): void {
    if (this.#running.get(p) === d) {
      this.#running.delete(p);
      this.#programs.delete(p);
    }
    p.threads = undefined;
    if ('exec' in end && this.#first?.end === undefined) {
      // exec: the same process runs the new image; fds with close-on-exec are closed, the others kept.
      const { program, args, env } = end.exec;
      for (const [fd, e] of [...p.fds.all()]) if (e.fdflagsext & Fdflagsext.cloexec) p.fds.close(fd);
      p.args = new StringArray(args);
      p.env = new StringArray(env);
      p.signals.resetForExec();
      const memory = memoryFor(program.memory);
      p.memory.bind(memory);
      this.#run(p, program, memory, imports);
      return;
    }
    const killed = 'exitCode' in end ? end.killed : undefined;
    const status: ExitStatus = killed ?? ('exitCode' in end ? { code: end.exitCode } : 'error' in end ? { signal: Signal.abrt } : { signal: Signal.kill });
    closeAll(p.fds);
    this.kernel.processes.exited(p, status);
    for (const other of this.#running.values()) other.poke();
    const first = this.#first;
    if (first && p === first.p && first.end === undefined) {
      first.end = 'error' in end && !killed ? { error: end.error } : { exitCode: exitCodeOf(status) };
      // The rest of the tree ends with the first process.
      for (const od of this.#running.values()) od.kill({ exitCode: 128 + Signal.kill, killed: { signal: Signal.kill } });
      first.resolve(first.end);
    }
  }
}
