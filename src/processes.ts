import { Fdflagsext, Signal } from '../generated/wasix/types.js';
import { threadLocalsOf } from './handlers/wasix/abi2023.js';
import { WasiError } from './abi/errno-of.js';
import { closeAll } from './kernel/fd-table.js';
import type { Kernel, Launcher } from './kernel/kernel.js';
import type { Process } from './kernel/process.js';
import { exitCodeOf, type ExitStatus } from './kernel/process-table.js';
import { ProgramCache, type CommandSource, type ExecImage, type Program } from './kernel/programs.js';
import type { ThreadPlatform } from './platform/platform.js';
import { StringArray } from './string-array.js';
import { ThreadDispatcher, type ProgramEnd, type ThreadLimits } from './threads/dispatcher.js';
import type { ThreadImage } from './threads/asyncify.js';
import { WorkerPool } from './threads/worker-pool.js';
import { memoryFor } from './threads/module-imports.js';
import { FastFds } from './fast-fds.js';
import { PipeArena } from './kernel/pipe-arena.js';
import type { ImportModules } from './versions.js';

/** Idle workers kept for the next process: as many as a shell's pipeline of a few stages ends at once. */
const KEPT_WORKERS = 4;

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
  /** vfork's children, by the dispatcher of the parent on whose thread each runs. */
  readonly #vforks = new Map<Process, ThreadDispatcher>();
  /** Workers of ended processes, kept for the next ones (a fork, a spawn, an exec). */
  readonly #workers: WorkerPool;
  #first: { p: Process; resolve: (end: RunEnd) => void; end?: RunEnd } | undefined;

  constructor(
    private readonly kernel: Kernel,
    private readonly importsFor: (p: Process) => ImportModules,
    platform: ThreadPlatform,
    private readonly limits: ThreadLimits,
    private readonly commands: ReadonlyMap<string, CommandSource>,
    /**
     * Whether `p`'s workers may read and write its pipes themselves (threads/fast-pipes.ts): not when every
     * call must pass through the kernel's imports (a trace, output flushed before each call).
     */
    private readonly fastPipes: (p: Process) => boolean = () => true,
  ) {
    this.#workers = new WorkerPool(platform, KEPT_WORKERS);
  }

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
    await this.#workers.close();
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

  vfork(parent: Process, child: Process, tid: number): void {
    const d = this.#running.get(parent);
    const running = this.#programs.get(parent);
    if (!d || !running) throw new Error(`unreachable: process ${parent.pid} forks without running`);
    child.memory.bind(running.memory);
    child.borrowedThreads = d;
    this.#vforks.set(child, d);
    const imports = this.importsFor(child);
    d.vfork(tid, {
      pid: child.pid,
      imports,
      beforeCall: () => void (this.kernel.current = child),
      ended: (end) => {
        child.borrowedThreads = undefined;
        this.#vforks.delete(child);
        if ('exec' in end) this.#exec(child, end.exec, imports);
        else this.#exited(child, 'killed' in end ? end.killed : { code: end.exitCode });
      },
    });
  }

  admit(bytes: number, replacing?: Process): void {
    // The memories the processes have now (a vfork's child shares its parent's, and is not in #programs).
    let held = 0;
    for (const [p, { memory }] of this.#programs) if (p !== replacing) held += memory.buffer.byteLength;
    const max = this.kernel.maxMemory;
    if (held + bytes > max) throw new WasiError('nomem', `memory budget (maxMemory ${max}) reached: ${held} bytes held, ${bytes} more asked`);
  }

  memoryBytes(p: Process): number {
    return this.#programs.get(p)?.memory.buffer.byteLength ?? 0;
  }

  kill(p: Process, status: ExitStatus): void {
    const d = this.#running.get(p);
    if (d) d.kill({ exitCode: exitCodeOf(status), killed: status });
    // A vfork's child runs on its parent's thread: it alone ends, and the parent goes on from its vfork.
    else this.#vforks.get(p)?.killVfork(p.pid, status);
  }

  #run(p: Process, program: Program, memory: WebAssembly.Memory, imports: ImportModules, fork?: ThreadImage): void {
    // Pipes made from now on go where workers can reach them (the first process makes the arena).
    const arena = this.fastPipes(p) ? (this.kernel.pipes ??= PipeArena.create()) : undefined;
    if (arena && !p.fast) p.serveFast(new FastFds());
    const d: ThreadDispatcher = new ThreadDispatcher(program.module, memory, { module: program.memory.module, name: program.memory.name }, imports, this.#workers, p === this.#first?.p ? this.limits : { ...this.limits, poolSize: 1 }, {
      params: program.params,
      threadLocalKeys: threadLocalsOf(p).keys.buffer,
      beforeCall: () => void (this.kernel.current = p),
      afterCall: () => this.#pokeOthers(d),
      fork: fork && { image: fork, keeps: program.data },
      fastPipes: arena && p.fast && { arena, fds: p.fast },
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

  /** exec: the same process runs the new image; fds with close-on-exec are closed, the others kept. */
  #exec(p: Process, image: ExecImage, imports: ImportModules): void {
    const { program, args, env } = image;
    for (const [fd, e] of [...p.fds.all()]) if (e.fdflagsext & Fdflagsext.cloexec) p.fds.close(fd);
    p.args = new StringArray(args);
    p.env = new StringArray(env);
    p.signals.resetForExec();
    const memory = memoryFor(program.memory);
    p.memory.bind(memory);
    this.#run(p, program, memory, imports);
    // A signal that came while the old image was ending stays pending across exec (POSIX); its action is now
    // the default one, taken before the new image's first instruction: a program that makes no call (a
    // loop) would otherwise never see it, and a Ctrl-C that came then would be lost.
    const sig = p.signals.takeTerminating();
    if (sig !== undefined) this.kill(p, { signal: sig });
  }

  /** `p` has ended with `status`: its fds are closed, and its parent may reap it. */
  #exited(p: Process, status: ExitStatus): void {
    closeAll(p.fds);
    this.kernel.processes.exited(p, status);
    for (const other of this.#running.values()) other.poke();
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
      this.#exec(p, end.exec, imports);
      return;
    }
    const killed = 'exitCode' in end ? end.killed : undefined;
    const status: ExitStatus = killed ?? ('exitCode' in end ? { code: end.exitCode } : 'error' in end ? { signal: Signal.abrt } : { signal: Signal.kill });
    this.#exited(p, status);
    const first = this.#first;
    if (first && p === first.p && first.end === undefined) {
      first.end = 'error' in end && !killed ? { error: end.error } : { exitCode: exitCodeOf(status) };
      // The rest of the tree ends with the first process.
      for (const od of this.#running.values()) od.kill({ exitCode: 128 + Signal.kill, killed: { signal: Signal.kill } });
      first.resolve(first.end);
    }
  }
}
