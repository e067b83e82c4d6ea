import { Errno } from '../../generated/preview1/types.js';
import { Signal } from '../../generated/wasix/types.js';
import { WasiError } from '../abi/errno-of.js';
import { Blocked, CallRecord, parkingWaits, waitForOtherThreads } from '../kernel/blocking.js';
import { ProcExit } from '../errors.js';
import { ExecImage } from '../kernel/programs.js';
import { FIRST_PID, type ExitStatus } from '../kernel/process-table.js';
import type { ThreadHost, VforkChild } from '../kernel/process.js';
import { copyImportModules, coreParamsOf, type ImportModules } from '../versions.js';
import { answer, answerSpecial, channelFunctions, PARENT_RESUMES, PROCESS_ENDS, CONTROL_BYTES, FN, readArguments, REQUEST, STATE, VFORK_TRAPPED, type ChannelFunction } from './channel.js';
import type { ThreadImage } from './asyncify.js';
import type { FromWorker } from './messages.js';
import type { GuestWorker, ThreadPlatform } from '../platform/platform.js';

type RawFunction = (...args: (number | bigint)[]) => number | void;
type WaitAsync = (a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** The main thread's id: a WASIX main thread's id is its process's; spawned threads count up from there. */
const MAIN_TID = FIRST_PID;
/** wasi-threads ids are positive and below 2^29. */
const MAX_TID = 0x1fffffff;
/**
 * After a call, how long the kernel's thread blocks (Atomics.wait) for the next one before it yields
 * to its event loop (Atomics.waitAsync): a thread making syscalls back to back is answered without a
 * trip through the event loop, which is delayed by at most this much.
 */
const LINGER_MS = 0.05;
/** How long a thread told to leave the guest (proc_exit) may take to return before its worker is stopped instead of kept. */
const RETURN_MS = 1000;
/** How often a call parked on something outside the guest (stdin, a socket) looks again. */
const EXTERNAL_RETRY_MS = 2;

/** How a threaded program ended: exited, failed, or replaced by another image (`proc_exec`). */
export type ProgramEnd = { exitCode: number; killed?: ExitStatus } | { error: Error } | { exec: ExecImage };

/** A worker and its syscall control block; it runs one guest thread at a time. */
interface Slot {
  readonly worker: GuestWorker;
  readonly control: Int32Array;
  tid: number | undefined;
  /** Set while its current call is parked. */
  parked: boolean;
  /** Signal callbacks to run before its current call returns, as [export index, signal] pairs. */
  readonly signals: number[];
  /** Its guest thread has returned (the worker is idle). */
  returned: boolean;
  /** Told to leave the guest (the process ended): it returns soon. */
  leaving: boolean;
  /** Called when its guest thread returns. */
  readonly onReturn: Set<() => void>;
  /** While a vfork's child runs on this thread: its calls, and its end. */
  vfork?: { readonly child: VforkChild; readonly calls: (RawFunction | undefined)[]; killed?: ExitStatus };
}

interface Parked {
  readonly slot: Slot;
  readonly index: number;
  readonly args: (number | bigint)[];
  readonly record: CallRecord;
  readonly deadlineMs: number | undefined;
  readonly external: boolean;
}

/** The options of a threaded run. */
export interface ThreadLimits {
  /** Workers started before the guest runs (the main thread's included). */
  readonly poolSize: number;
  /** Threads alive at once, the main one included; a spawn beyond it fails with `again`. */
  readonly maxThreads: number;
}

/** What a process's dispatcher adds to a threaded program's. */
export interface DispatcherHooks {
  /** The core parameter types of the module's function imports, by `module.name`, where they differ from the WITX's. */
  readonly params?: ReadonlyMap<string, readonly string[]>;
  /** Called before each call runs (the process runner says whose call it is). */
  readonly beforeCall?: () => void;
  /** Called after each call that completed: another process's parked call may now go on. */
  readonly afterCall?: () => void;
  /** The process's thread-local keys (handlers/wasix/thread-locals.ts), shared with every worker. */
  readonly threadLocalKeys?: ArrayBufferLike;
  /** A fork's child: the main thread resumes this image of the parent's forking thread instead of calling `_start`. */
  readonly fork?: { readonly image: ThreadImage; readonly keeps: readonly (readonly [number, number])[] | undefined };
}

/**
 * The kernel's side of a threaded program: every guest thread runs in a worker, and every syscall
 * any of them makes is run here, one at a time, by the same import functions a single-threaded
 * program calls directly. The kernel's thread never blocks: it waits for the doorbell with
 * `Atomics.waitAsync`, and a call that would wait is parked (blocking.ts) and run again when another
 * call or a thread's end may have changed things, when its deadline comes, or, for waits on the
 * outside world, every few milliseconds.
 */
export class ThreadDispatcher implements ThreadHost {
  readonly parallelism: number;
  readonly #functions: ChannelFunction[];
  readonly #calls: RawFunction[];
  readonly #argv: (number | bigint)[][];
  readonly #doorbell = new Int32Array(new SharedArrayBuffer(4));
  readonly #slots: Slot[] = [];
  readonly #idle: Slot[] = [];
  readonly #alive = new Set<number>();
  #parked: Parked[] = [];
  #nextTid = MAIN_TID + 1;
  #end: ProgramEnd | undefined;
  /** The thread whose syscall is running: a signal callback the kernel calls is queued for it. */
  #current: Slot | undefined;
  readonly #exportIndex: Map<string, number>;
  /** Work to run within a thread's next syscall (onNextCall). */
  readonly #forThread = new Map<number, (() => void)[]>();
  /** The images threads sent for their `proc_fork`, until the call takes them. */
  readonly #forkImages = new Map<number, ThreadImage>();

  /**
   * What the kernel sees as the guest's exports: the functions of a threaded program live in its
   * workers, so calling one (a signal callback) queues it for the thread whose syscall is running,
   * which calls it before that syscall returns.
   */
  readonly exports: WebAssembly.Exports;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly memoryImport: { module: string; name: string },
    imports: ImportModules,
    private readonly platform: ThreadPlatform,
    private readonly limits: ThreadLimits,
    private readonly hooks: DispatcherHooks = {},
  ) {
    this.parallelism = platform.parallelism;
    if (!waitAsync) throw new Error('wasi-kit: threads need Atomics.waitAsync, which this JavaScript engine lacks');
    // What the kernel serves, wasi-threads' thread-spawn included; another import is left to fail
    // linking in the worker, as it would without threads.
    // (A copy, not a spread, which would build every version's modules: only the imported ones are read.)
    const served: Record<string, Record<string, unknown>> = Object.assign(copyImportModules(imports), { wasi: { 'thread-spawn': (arg: number) => this.#spawnRaw(arg) } });
    const callOf = (m: string, n: string) => served[m]?.[n] as RawFunction | undefined;
    const declared = (m: string, n: string) => hooks.params?.get(`${m}.${n}`) as readonly ('i32' | 'i64')[] | undefined;
    this.#functions = channelFunctions(module, (m, n) => (typeof callOf(m, n) === 'function' ? (declared(m, n) ?? coreParamsOf(m, n)) : undefined));
    this.#calls = this.#functions.map((f) => callOf(f.module, f.name)!);
    this.#argv = this.#functions.map((f) => new Array<number | bigint>(f.params.length));
    const list = WebAssembly.Module.exports(module);
    this.#exportIndex = new Map(list.map((e, i) => [e.name, i]));
    const functions = Object.fromEntries(
      list.filter((e) => e.kind === 'function').map((e) => [e.name, (signo: number) => void this.#current?.signals.push(this.#exportIndex.get(e.name)!, signo)]),
    );
    this.exports = functions;
  }

  /** Runs the program's `_start` on a worker; resolves when the program ends, with no worker left. */
  async run(): Promise<ProgramEnd> {
    try {
      // Inside the try: a worker that cannot be made must not leave the ones made before it running.
      for (let i = 0; i < Math.max(1, this.limits.poolSize); i++) this.#idle.push(this.#newSlot());
      this.#startThread(this.#idle.pop()!, MAIN_TID, 0, true, undefined, undefined, this.hooks.fork);
      await this.#loop();
    } finally {
      for (const s of this.#slots) this.#endVfork(s);
      await Promise.all(this.#slots.map((s) => this.#retire(s)));
    }
    return this.#end!;
  }

  /** Gives back a worker whose guest thread has returned (or soon will), stops any other. */
  async #retire(s: Slot): Promise<void> {
    if (!s.returned && s.leaving && s.worker.release) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, RETURN_MS);
        function done() {
          clearTimeout(timer);
          s.onReturn.delete(done);
          resolve();
        }
        s.onReturn.add(done);
      });
    }
    if (s.returned && s.worker.release) await s.worker.release();
    else await s.worker.terminate();
  }

  spawn(arg: number, stack?: { top: number; bottom: number | undefined }, userData2023?: bigint): number {
    if (this.#alive.size >= this.limits.maxThreads) throw new WasiError('again', `thread limit (${this.limits.maxThreads}) reached`);
    if (this.#nextTid > MAX_TID) throw new WasiError('again', 'thread ids exhausted');
    let slot: Slot;
    try {
      slot = this.#idle.pop() ?? this.#newSlot();
    } catch (err) {
      // The host is out of threads: the guest hears `again`, as pthread_create's EAGAIN.
      throw new WasiError('again', `no worker for a new thread: ${err instanceof Error ? err.message : String(err)}`);
    }
    const tid = this.#nextTid++;
    this.#startThread(slot, tid, arg, false, stack, userData2023);
    return tid;
  }

  get currentTid(): number | undefined {
    return this.#current?.tid;
  }

  /** Ends the program from outside (another process killed it), as if it had ended with `end`. */
  kill(end: ProgramEnd): void {
    this.#finish(end);
  }

  /** Runs the parked calls again soon: something outside this program may have changed what they wait for. */
  poke(): void {
    if (this.#parked.length > 0) this.#ring();
  }

  onNextCall(tid: number, thunk: () => void): boolean {
    if (!this.#alive.has(tid)) return false;
    const list = this.#forThread.get(tid);
    if (list) list.push(thunk);
    else this.#forThread.set(tid, [thunk]);
    return true;
  }

  join(tid: number): void {
    // Nothing could ever end that wait (POSIX pthread_join: EDEADLK).
    if (tid === this.#current?.tid) throw new WasiError('deadlk', `thread ${tid} cannot join itself`);
    if (this.#alive.has(tid)) waitForOtherThreads(`thread_join(${tid})`);
  }

  /** wasi-threads' `thread-spawn`: a tid, or a negative errno (`-again`, numbered as in preview1). */
  #spawnRaw(arg: number): number {
    try {
      return this.spawn(arg);
    } catch (err) {
      if (err instanceof WasiError && err.errno === 'again') return -Errno.again;
      throw err;
    }
  }

  takeForkImage(tid: number): ThreadImage | undefined {
    const image = this.#forkImages.get(tid);
    this.#forkImages.delete(tid);
    return image;
  }

  vfork(tid: number, child: VforkChild): void {
    const slot = this.#slots.find((s) => s.tid === tid);
    if (!slot) throw new Error(`unreachable: vfork on thread ${tid}, which is not running`);
    slot.vfork = { child, calls: this.#functions.map((f) => child.imports[f.module]?.[f.name] as RawFunction | undefined) };
  }

  /**
   * Ends vfork's child `pid`, killed from outside with `status`: its parent's thread goes back to its
   * vfork now if the child's call is parked, else at the child's next call.
   */
  killVfork(pid: number, status: ExitStatus): void {
    const slot = this.#slots.find((s) => s.vfork?.child.pid === pid);
    if (!slot) return;
    slot.vfork!.killed = status;
    if (slot.parked) {
      this.#parked = this.#parked.filter((p) => p.slot !== slot);
      slot.parked = false;
      this.#vforkOver(slot, { killed: status });
    }
    this.#ring();
  }

  /** vfork's child is over: it goes on as a process of its own (exec) or has ended; the thread is the parent's again. */
  #vforkOver(slot: Slot, end: Parameters<VforkChild['ended']>[0]): void {
    const vfork = slot.vfork!;
    slot.vfork = undefined;
    vfork.child.ended(end);
    answerSpecial(slot.control, PARENT_RESUMES, vfork.child.pid);
    this.hooks.afterCall?.();
  }

  #startThread(slot: Slot, tid: number, arg: number, main: boolean, stack?: { top: number; bottom: number | undefined }, userData2023?: bigint, fork?: DispatcherHooks['fork']): void {
    slot.tid = tid;
    slot.returned = false;
    this.#alive.add(tid);
    slot.worker.post({ type: 'start', tid, arg, main, stack, userData2023, fork: fork?.image, forkKeeps: fork?.keeps });
  }

  #newSlot(): Slot {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const worker = this.platform.createWorker();
    const slot: Slot = { worker, control: new Int32Array(control), tid: undefined, parked: false, signals: [], returned: false, leaving: false, onReturn: new Set() };
    worker.listen(
      (m) => this.#onMessage(slot, m),
      (err) => this.#finish({ error: err }),
    );
    worker.post({
      type: 'init',
      module: this.module,
      memory: this.memory,
      memoryImport: this.memoryImport,
      doorbell: this.#doorbell.buffer as SharedArrayBuffer,
      control,
      functions: this.#functions,
      threadLocalKeys: this.hooks.threadLocalKeys,
    });
    this.#slots.push(slot);
    return slot;
  }

  /**
   * A vfork's child cannot outlive the thread it runs on (its parent ended, or the thread returned or
   * trapped): it ends as killed, so that its fds are closed and the slot never again serves its calls.
   */
  #endVfork(slot: Slot): void {
    const vfork = slot.vfork;
    if (!vfork) return;
    slot.vfork = undefined;
    vfork.child.ended({ killed: { signal: Signal.kill } });
  }

  /**
   * The vfork's child on `slot` trapped: it ends by SIGABRT, as a trap ends any process, and its parent
   * goes on from its vfork (the trap was the child's alone). No vfork there: the thread's trap ends the program.
   */
  #vforkTrapped(slot: Slot): void {
    const vfork = slot.vfork;
    if (vfork) this.#vforkOver(slot, { killed: vfork.killed ?? { signal: Signal.abrt } });
    else this.#finish({ error: new WebAssembly.RuntimeError('a trap was reported for a vfork child that does not run on this thread') });
  }

  #onMessage(slot: Slot, m: FromWorker): void {
    if (m.type !== 'fork') this.#endVfork(slot);
    if (m.type === 'ended') {
      slot.returned = true;
      for (const f of slot.onReturn) f();
    }
    if (m.type === 'fork') {
      // Its proc_fork call parks until this has come (messages and the channel are not ordered).
      this.#forkImages.set(m.tid, m.image);
    } else if (m.type === 'failed') {
      const error =
        m.name === 'RuntimeError' ? new WebAssembly.RuntimeError(m.message) : m.name === 'LinkError' ? new WebAssembly.LinkError(m.message) : Object.assign(new Error(m.message), { name: m.name });
      this.#finish({ error });
    } else if (m.tid === MAIN_TID) {
      // Returning from `_start` ends the program, whatever other threads are doing (as exit() does).
      this.#finish({ exitCode: m.exitCode ?? 0 });
    } else {
      this.#alive.delete(m.tid);
      this.#forThread.delete(m.tid);
      this.#forkImages.delete(m.tid);
      slot.tid = undefined;
      this.#idle.push(slot);
    }
    this.#ring();
  }

  #finish(end: ProgramEnd): void {
    this.#end ??= end;
    this.#ring();
  }

  #ring(): void {
    Atomics.add(this.#doorbell, 0, 1);
    Atomics.notify(this.#doorbell, 0);
  }

  async #loop(): Promise<void> {
    const door = this.#doorbell;
    // A browser's main thread may not block: there the kernel only ever waits asynchronously.
    let linger = true;
    while (this.#end === undefined) {
      const seen = Atomics.load(door, 0);
      let served = false;
      for (const slot of this.#slots) {
        if (!slot.parked && Atomics.load(slot.control, STATE) === REQUEST) {
          const index = slot.control[FN]!;
          if (index === VFORK_TRAPPED) {
            this.#vforkTrapped(slot);
            if (this.#end !== undefined) return;
            served = true;
            continue;
          }
          const args = this.#argv[index]!;
          readArguments(this.#functions[index]!, slot.control, args);
          this.#call(slot, index, args, new CallRecord(performance.now()));
          if (this.#end !== undefined) return;
          served = true;
        }
      }
      // Anything may have changed what a parked call waits for: run each again.
      if (this.#parked.length > 0) {
        const parked = this.#parked;
        this.#parked = [];
        for (const p of parked) {
          p.slot.parked = false;
          this.#call(p.slot, p.index, p.args, p.record);
          if (this.#end !== undefined) return;
        }
        // A call that completed may have freed one parked before it in this pass: another pass
        // (each one that goes on has one parked call fewer, so this ends).
        if (this.#parked.length < parked.length) continue;
      }
      if (Atomics.load(door, 0) !== seen) continue;
      if (served && linger) {
        try {
          if (Atomics.wait(door, 0, seen, LINGER_MS) !== 'timed-out') continue;
        } catch {
          linger = false;
        }
      }
      const r = waitAsync!(door, 0, seen, this.#nextWakeMs());
      if (r.async) await r.value;
    }
  }

  /** How long the loop may sleep: until the earliest parked deadline, or a short while for outside waits. */
  #nextWakeMs(): number | undefined {
    let wake = Infinity;
    const now = performance.now();
    for (const p of this.#parked) {
      if (p.external) wake = Math.min(wake, EXTERNAL_RETRY_MS);
      if (p.deadlineMs !== undefined) wake = Math.min(wake, Math.max(0, p.deadlineMs - now));
    }
    return wake === Infinity ? undefined : wake;
  }

  #call(slot: Slot, index: number, args: (number | bigint)[], record: CallRecord): void {
    const vfork = slot.vfork;
    if (vfork?.killed) {
      this.#vforkOver(slot, { killed: vfork.killed });
      return;
    }
    const fn = vfork?.calls[index] ?? this.#calls[index]!;
    try {
      this.#current = slot;
      const pending = this.#forThread.size > 0 && slot.tid !== undefined ? this.#forThread.get(slot.tid) : undefined;
      if (pending) {
        this.#forThread.delete(slot.tid!);
        for (const thunk of pending) thunk();
      }
      if (vfork) vfork.child.beforeCall();
      else this.hooks.beforeCall?.();
      const r = parkingWaits(record, () => fn(...args));
      answer(slot.control, typeof r === 'number' ? r : 0, slot.signals.length > 0 ? slot.signals : undefined);
      slot.signals.length = 0;
      this.hooks.afterCall?.();
    } catch (err) {
      if (err instanceof Blocked && !err.until && slot.signals.length > 0) {
        // A callback is queued for this thread (thread_signal) and the call would wait: a signal ends
        // a blocking call with `intr` once its callback has run, as interruptWait does for the process's.
        // Not one waiting for a filesystem step already started (`until`): that one must finish.
        answer(slot.control, Errno.intr, slot.signals);
        slot.signals.length = 0;
      } else if (err instanceof Blocked) {
        slot.parked = true;
        this.#parked.push({ slot, index, args: args.slice(), record, deadlineMs: err.deadlineMs, external: err.external });
        // An asynchronous filesystem's step: retry when it settles.
        err.until?.then(() => this.#ring());
      } else if (vfork && (err instanceof ExecImage || err instanceof ProcExit)) {
        this.#vforkOver(slot, err instanceof ExecImage ? { exec: err } : { exitCode: err.exitCode });
      } else if (err instanceof ExecImage) {
        // As for an exit: the thread leaves the guest and its worker may serve the new image.
        answerSpecial(slot.control, PROCESS_ENDS, 0);
        slot.leaving = true;
        this.#finish({ exec: err });
      } else if (err instanceof ProcExit) {
        // The thread leaves the guest, so that its worker is idle (and may serve another process).
        answerSpecial(slot.control, PROCESS_ENDS, err.exitCode);
        slot.leaving = true;
        this.#finish({ exitCode: err.exitCode });
      } else {
        this.#finish({ error: err instanceof Error ? err : new Error(String(err)) });
      }
    } finally {
      this.#current = undefined;
    }
  }
}
