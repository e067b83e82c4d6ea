import { Filetype } from '../generated/preview1/types.js';
import { Signal as WasixSignal, SignalNames } from '../generated/wasix/types.js';
import { GuestMemory } from './abi/memory.js';
import { CoalescedSink, flushingBeforeCalls } from './coalesced-output.js';
import { ProcExit, WasiOptionError, WasiStateError } from './errors.js';
import { FdTable, closeAll, type NewFd } from './kernel/fd-table.js';
import type { FileSystem } from './fs/types.js';
import { Kernel, type ClockName, type ClockSource, type KernelServices } from './kernel/kernel.js';
import { Process } from './kernel/process.js';
import { checkOptions, type PreopenTarget, type RunOptions, type ThreadOptions, type WasiOptions, type WasiVersion } from './options.js';
import { getPlatform, getThreadPlatform, type Platform, type ThreadPlatform } from './platform/platform.js';
import { DIR_RIGHTS, FILE_RIGHTS, R, STDIO_RIGHTS } from './rights.js';
import { readOnly } from './fs/read-only.js';
import { MemoryFileSystem } from './fs/memory-fs.js';
import { MountFileSystem, mountParts } from './fs/mount-fs.js';
import { listenerEntry } from './sockets/entries.js';
import { NO_NETWORK, parseNetworkOptions } from './sockets/grants.js';
import { stdinSource } from './stdin/index.js';
import { callbackSink, type InputSource, type OutputSink } from './stdio.js';
import { StringArray, environStrings } from './string-array.js';
import type { ImportFunctions } from './trace.js';
import { VERSION_IDS, copyImportModules, importModules, moduleNamesOf, versionOfModuleName, type ImportModules, type VersionId } from './versions.js';
import { ThreadDispatcher } from './threads/dispatcher.js';
import { PROCESS_PROGRAM_CALLS } from './handlers/wasix/proc.js';
import { THREADED_PROGRAM_CALLS } from './handlers/wasix/threads.js';
import { functionImportParams, memoryFor, memoryImportOf, withImportedSharedMemory } from './threads/module-imports.js';
import { stackOf } from './handlers/wasix/stack.js';
import type { GuestStack } from './threads/asyncify.js';
import { threadLocalsOf } from './handlers/wasix/abi2023.js';
import { ProcessRunner } from './processes.js';
import { programOf, type CommandSource } from './kernel/programs.js';

/**
 * Closes the fds of a WASI that is gone without `close()`. The target is the process, which the import
 * functions hold, so an instance still calling them keeps its fds; the held table does not point back.
 */
const closeWhenCollected = new FinalizationRegistry<FdTable>((fds) => closeAll(fds));

const isFileSystem = (v: unknown): v is FileSystem => typeof v === 'object' && v !== null && typeof (v as FileSystem).openRoot === 'function';

/**
 * A WASI host for one guest, compatible with `node:wasi`'s `WASI` class: construct with options, pass
 * `getImportObject()` (or `{ wasi_snapshot_preview1: wasi.wasiImport }`) to `WebAssembly.instantiate`,
 * then `start(instance)` for a command or `initialize(instance)` for a reactor.
 */
export class WASI {
  /** The import module `wasiImport` gives, when the version has one. */
  readonly #wasiImportName: string | undefined;
  readonly #memory = new GuestMemory();
  /** Outputs with `buffer: true`, flushed around the syscalls (coalesced-output.ts) and at the end of a run. */
  readonly #coalesced: CoalescedSink[] = [];
  readonly #kernel: Process;
  readonly #returnOnExit: boolean;
  readonly #threads: ThreadOptions;
  /** The host fd stdin reads, when it is one (the default: 0). */
  readonly #stdinFd: number | undefined;
  readonly #imports: ImportModules;
  readonly #trace: WasiOptions['trace'];
  readonly #commands: ReadonlyMap<string, CommandSource>;
  /** A preopen whose filesystem answers asynchronously: only a threaded run (workers) can use it. */
  #asyncPreopen: string | undefined;
  /** Filesystems that may still be putting changes in storage when the program ends. */
  readonly #flushes: FileSystem[] = [];
  /** The preopens by guest path, to be mounted in the root filesystem. */
  readonly #mounts: [string, FileSystem][] = [];
  /** The `root` option's filesystem; `/` is made of it (or of a new MemoryFileSystem) once mounted. */
  readonly #rootFs: FileSystem | undefined;
  #rootMounted = false;
  /** `/` once mounted: where `mount()` adds filesystems. */
  #rootTable: MountFileSystem | undefined;
  #started = false;

  constructor(options?: WasiOptions) {
    const o = checkOptions(options);
    const p = getPlatform();
    if (!p) throw new Error('wasi-kit: no platform set; import WASI from the package entry point');
    const version = o.version ?? 'auto';
    const versions: readonly VersionId[] = version === 'auto' ? VERSION_IDS : [version === 'unstable' ? 'snapshot0' : version];
    this.#returnOnExit = o.returnOnExit ?? true;
    this.#threads = o.threads ?? {};
    this.#stdinFd = o.stdin === undefined ? 0 : typeof o.stdin === 'number' ? o.stdin : undefined;
    const fds = new FdTable(o.maxOpenFiles ?? 1024);
    // A virtual network (options.network.virtual) stands in for the platform's.
    const grants = o.network === undefined ? NO_NETWORK : parseNetworkOptions(o.network);
    const host = hostServices(p);
    const kernel = new Kernel({ clock: o.clock ?? host.clock, randomFill: o.random ?? host.randomFill, hostSleepNs: host.hostSleepNs, maxProcesses: o.maxProcesses, maxMemory: o.maxMemory });
    this.#trace = o.trace;
    this.#commands = o.commands ? new Map(Object.entries(o.commands)) : NO_COMMANDS;
    this.#kernel = new Process(kernel, {
      memory: this.#memory,
      args: new StringArray(o.args ?? []),
      env: new StringArray(environStrings(o.env ?? {})),
      fds,
      terminal: o.terminal ?? p.terminal,
      network: { host: grants.virtual ?? p.network, grants, names: new Map(), resolving: new Map() },
    });
    fds.set(0, stdioEntry(p, o, stdinSource(p, o.stdin), undefined, this.#stdinFd));
    fds.set(1, stdioEntry(p, o, undefined, this.#output(p, o.stdout, 1), outputFd(o.stdout, 1)));
    fds.set(2, stdioEntry(p, o, undefined, this.#output(p, o.stderr, 2), outputFd(o.stderr, 2)));
    // Own keys only, as Object.entries gives them: a key on Object.prototype is no preopen.
    if (o.preopens) for (const guestPath of Object.keys(o.preopens)) this.#addPreopen(p, fds, guestPath, o.preopens[guestPath]);
    if (o.preopenSockets) for (const listener of o.preopenSockets) fds.insert(listenerEntry(listener));
    if (o.root !== undefined) this.#rootFs = this.#preopen(p, '/', o.root, 'options.root');
    if (o.cwd !== undefined) this.#kernel.cwd = o.cwd;
    if (o.root !== undefined || version === 'wasix') this.#mountRoot();
    closeWhenCollected.register(this.#kernel, fds, this);
    // Each version's modules are built when first read (versions.ts): a program's instantiation reads
    // only those it imports.
    const coalesced = this.#coalesced;
    this.#imports = importModules(versions, this.#kernel, this.#memory, o.trace, coalesced.length > 0 ? (fns) => flushingBeforeCalls(fns, coalesced, fds) : undefined);
    // node:wasi's `wasiImport` is one module's functions: preview1's under 'auto', else the version's
    // single module (the ephemeral phase has ten, reached through getImportObject()).
    const names = moduleNamesOf(versions[0]!);
    this.#wasiImportName = names.length === 1 ? names[0] : undefined;
  }

  /** Opens a preopen as the next fd, to be mounted at `guestPath` in a root filesystem too. */
  #addPreopen(p: Platform, fds: FdTable, guestPath: string, target: PreopenTarget | undefined): void {
    const fs = this.#preopen(p, guestPath, target);
    this.#mounts.push([guestPath, fs]);
    if (fs.asynchronous) this.#asyncPreopen ??= guestPath;
    if (fs.flush) this.#flushes.push(fs);
    fds.insert({
      file: { kind: 'fs', fs, handle: fs.openRoot(), isDir: true, listing: undefined, filetype: Filetype.directory, fdflags: 0 },
      preopen: guestPath,
      rightsBase: DIR_RIGHTS,
      rightsInheriting: DIR_RIGHTS | FILE_RIGHTS,
    });
  }

  /** The sink behind an output option (`fd`: stdout's 1 or stderr's 2 by default). */
  #output(p: Platform, v: WasiOptions['stdout'], fd: number): OutputSink {
    if (v === undefined) return p.hostOutput(fd);
    if (typeof v === 'number') return p.hostOutput(v);
    if (typeof v === 'function') return callbackSink(v);
    if (!v.buffer) return p.hostOutput(v.fd);
    const sink = new CoalescedSink(p.hostOutput(v.fd));
    this.#coalesced.push(sink);
    return sink;
  }

  /** The raw import functions of the configured version's module, as node:wasi's `wasiImport`. */
  get wasiImport(): ImportFunctions {
    if (this.#wasiImportName === undefined) {
      throw new WasiStateError('ERR_WASI_NO_SINGLE_MODULE', 'the ephemeral phase imports from ten modules: use getImportObject()');
    }
    return this.#imports[this.#wasiImportName]!;
  }

  /**
   * A threaded program's kernel must never block, as a read of a host fd would: its stdin is then read
   * by the I/O worker, as a stream over that fd, from the guest's first read on (so a program that never
   * reads stdin starts nothing).
   */
  #stdinOffThread(): void {
    const p = getPlatform()!;
    const fd = this.#stdinFd;
    const e = this.#kernel.fds.get(0, 0);
    if (fd === undefined || !p.streamInput || e.kind !== 'stdio' || !e.source) return;
    let source: InputSource | undefined;
    const open = () => (source ??= p.streamInput!({ fd, readable: true }));
    this.#kernel.fds.replace(0, {
      ...e,
      source: {
        read: (into) => open().read(into),
        readiness: () => open().readiness?.(),
        get waiter() {
          return open().waiter;
        },
      },
    });
  }

  /**
   * Gives the guest `/` as fd 3, its preopens after it (Wasmer's lib/wasix/src/fs: `VIRTUAL_ROOT_FD = 3`,
   * a virtual root where every preopen is found): a MountFileSystem over the
   * `root` option's filesystem, or a new in-memory one holding `/tmp` and `/bin`, with every preopen
   * mounted at its guest path. Before the guest runs only: fds 3 and up move up by one.
   */
  #mountRoot(): void {
    if (this.#rootMounted) return;
    this.#rootMounted = true;
    for (const [path] of this.#mounts) {
      try {
        mountParts(path);
      } catch {
        throw new WasiOptionError('ERR_INVALID_ARG_VALUE', `options.preopens['${path}']`, `The guest path "${path}" cannot be mounted in the root filesystem: it contains ".."`);
      }
    }
    const root: FileSystem = this.#rootFs ?? new MemoryFileSystem();
    if (!this.#rootFs) {
      const h = root.openRoot();
      root.mkdir(h, 'tmp');
      root.mkdir(h, 'bin');
      root.close(h);
    } else if (root.flush) this.#flushes.push(root);
    const fs = new MountFileSystem(root, this.#mounts);
    this.#rootTable = fs;
    if (fs.asynchronous) this.#asyncPreopen ??= '/';
    this.#kernel.fds.shiftFrom(3);
    this.#kernel.fds.set(3, {
      file: { kind: 'fs', fs, handle: fs.openRoot(), isDir: true, listing: undefined, filetype: Filetype.directory, fdflags: 0 },
      preopen: '/',
      rightsBase: DIR_RIGHTS,
      rightsInheriting: DIR_RIGHTS | FILE_RIGHTS,
    });
  }

  /**
   * Mounts a filesystem at `guestPath` in the guest's root filesystem (`/`, which a WASIX program or
   * the `root` option has), also while it runs: every process sees it from its next call on, through
   * `/` (no new fd is opened: a program finds it by path). This is how a page mounts a folder the
   * user picks (`new DirectoryHandleFileSystem(await showDirectoryPicker())`) at `/mnt/<name>`. `target`
   * is a FileSystem, `{ fs, readOnly }`, or (Node) a host path, as a preopen. Throws a
   * WasiStateError (`ERR_WASI_NO_ROOT`) when there is no root filesystem yet.
   */
  mount(guestPath: string, target: PreopenTarget): void {
    if (typeof guestPath !== 'string') throw argType('guestPath', 'string', guestPath);
    let parts: string[];
    try {
      parts = mountParts(guestPath);
    } catch {
      parts = [];
    }
    if (!guestPath.startsWith('/') || parts.length === 0) throw new WasiOptionError('ERR_INVALID_ARG_VALUE', 'guestPath', `The "guestPath" argument must be an absolute path below / without "..". Received ${JSON.stringify(guestPath)}`);
    const fs = this.#preopen(getPlatform()!, guestPath, target, 'target');
    if (!this.#rootTable) {
      throw new WasiStateError('ERR_WASI_NO_ROOT', "wasi-kit: mount() needs the guest's root filesystem: give the root option or version 'wasix' (or call it once run() has started a WASIX program)");
    }
    this.#rootTable.mount(guestPath, fs);
    if (fs.flush) this.#flushes.push(fs);
  }

  /** The filesystem behind a preopen; a read-only one answers every change with `rofs`. */
  #preopen(p: Platform, guestPath: string, target: unknown, option = `options.preopens['${guestPath}']`): FileSystem {
    if (typeof target === 'string' || (typeof target === 'object' && target !== null && 'path' in target)) {
      const { path, readOnly = false } = typeof target === 'string' ? { path: target } : (target as { path: string; readOnly?: boolean });
      if (!p.hostFileSystem) throw new WasiOptionError('ERR_INVALID_ARG_VALUE', option, `${option}: host directories are not available on this platform; pass a FileSystem`);
      return p.hostFileSystem(path, { readOnly });
    }
    if (isFileSystem(target)) return target;
    if (typeof target === 'object' && target !== null && isFileSystem((target as { fs?: unknown }).fs)) {
      const t = target as { fs: FileSystem; readOnly?: boolean };
      return t.readOnly ? readOnly(t.fs) : t.fs;
    }
    throw new WasiOptionError('ERR_INVALID_ARG_TYPE', option, `The "${option}" property must be a host path, a FileSystem, or { fs | path, readOnly }`);
  }

  /**
   * The WASI version a compiled module imports (`'preview1'`, `'snapshot0'`, `'ephemeral'`, `'wasix'`, `'wasix64'`), the first
   * found when it imports several, or undefined when it imports none.
   */
  static versionOf(module: WebAssembly.Module): WasiVersion | undefined {
    const found = new Set(WebAssembly.Module.imports(module).map((i) => versionOfModuleName(i.module)));
    return VERSION_IDS.find((v) => found.has(v));
  }

  /**
   * `{ module: functions }` for every import module of the configured version (all four under
   * `'auto'`, so a module importing from several versions is served by one instance).
   */
  getImportObject(): Record<string, ImportFunctions> {
    return copyImportModules(this.#imports);
  }

  /**
   * Runs a command from its bytes or compiled module, threaded or not, and resolves with its exit
   * code. A program that imports a shared memory, `wasi.thread-spawn` or WASIX's thread calls runs
   * every thread (the main one too) in a worker over one shared memory, while the syscalls all run
   * here, on this thread, whose event loop stays free; it resolves once the program has ended and no
   * worker is left. Any other program runs here as with `start()`. A memory the module imports is
   * made from the limits its bytes declare (or given as `options.memory`). Rejects with the trap of
   * any thread. `returnOnExit` does not apply: the exit code is always the result.
   */
  async run(program: WebAssembly.Module | ArrayBuffer | ArrayBufferView, options?: RunOptions): Promise<number> {
    // A change on a virtual network (another run's guest, the page) wakes this run's parked calls at once.
    const unwatch = this.#kernel.network?.host?.watch?.(() => this.#pokeRunning());
    try {
      return await this.#run(program, options);
    } finally {
      unwatch?.();
    }
  }

  /** Runs the parked calls of every running process again (something outside them changed). */
  #pokeRunning(): void {
    const k = this.#kernel;
    for (const p of k.kernel.launcher ? k.kernel.processes.all() : [k]) (p.threads as ThreadDispatcher | undefined)?.poke();
  }

  async #run(program: WebAssembly.Module | ArrayBuffer | ArrayBufferView, options?: RunOptions): Promise<number> {
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw argType('options', 'object', options);
    if (options?.memory !== undefined && !(options.memory instanceof WebAssembly.Memory)) throw argType('options.memory', 'WebAssembly.Memory', options.memory);
    let module: WebAssembly.Module;
    let bytes: Uint8Array | undefined;
    if (program instanceof WebAssembly.Module) module = program;
    else if (program instanceof ArrayBuffer || ArrayBuffer.isView(program)) {
      bytes = program instanceof ArrayBuffer ? new Uint8Array(program) : new Uint8Array(program.buffer, program.byteOffset, program.byteLength);
      module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    } else throw argType('program', 'WebAssembly.Module, ArrayBuffer or ArrayBufferView', program);
    let imports = WebAssembly.Module.imports(module);
    if (!this.#started && imports.some((i) => i.module === 'wasix_32v1')) this.#mountRoot();
    const processes = imports.some((i) => i.kind === 'function' && i.module === 'wasix_32v1' && (PROCESS_PROGRAM_CALLS as ReadonlySet<string>).has(i.name));
    if (processes && bytes && !options?.memory && !imports.some((i) => i.kind === 'memory')) {
      // A process runs in a worker, so its memory must be shared and made outside it (module-imports.ts).
      const rewritten = withImportedSharedMemory(bytes);
      if (rewritten) {
        bytes = rewritten.bytes;
        module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
        imports = WebAssembly.Module.imports(module);
      }
    }
    const memoryImport = imports.find((i) => i.kind === 'memory');
    const limits = bytes && memoryImportOf(bytes);
    const given = options?.memory;
    const threaded =
      processes ||
      (given ? typeof SharedArrayBuffer !== 'undefined' && given.buffer instanceof SharedArrayBuffer : limits?.shared === true) ||
      imports.some((i) => i.kind === 'function' && ((i.module === 'wasi' && i.name === 'thread-spawn') || (i.module === 'wasix_32v1' && ((THREADED_PROGRAM_CALLS as ReadonlySet<string>).has(i.name) || i.name === 'thread_spawn'))));
    if (this.#started) throw new WasiStateError('ERR_WASI_ALREADY_STARTED', 'WASI instance has already started');
    // Checked before a shared memory is made: without cross-origin isolation a browser cannot make one.
    const tp = threaded ? getThreadPlatform() : undefined;
    if (threaded) {
      const why = tp ? tp.unavailable() : 'this platform has no workers';
      if (why !== undefined) throw new WasiStateError('ERR_WASI_NO_THREADS', `wasi-kit: cannot run a threaded program: ${why}`);
    }
    let memory = given;
    if (memoryImport && !memory) {
      if (!limits) throw new WasiOptionError('ERR_INVALID_ARG_VALUE', 'options.memory', `The module imports its memory (${memoryImport.module}.${memoryImport.name}); pass the module's bytes, or the memory as options.memory`);
      memory = memoryFor(limits);
    }
    if (!threaded || !tp) {
      const importObject: WebAssembly.Imports = this.getImportObject();
      if (memoryImport) importObject[memoryImport.module] = { ...importObject[memoryImport.module], [memoryImport.name]: memory! };
      try {
        return this.#start(await WebAssembly.instantiate(module, importObject), memory);
      } finally {
        this.close();
      }
    }
    if (!memoryImport || !memory) {
      throw new WasiOptionError('ERR_INVALID_ARG_VALUE', 'program', 'A threaded program must import its memory (link with --import-memory --shared-memory), so that every thread shares it');
    }
    this.#started = true;
    this.#memory.bind(memory);
    this.#stdinOffThread();
    if (processes) return this.#runProcesses(module, memory, { module: memoryImport.module, name: memoryImport.name }, bytes, tp);
    const dispatcher = new ThreadDispatcher(module, memory, { module: memoryImport.module, name: memoryImport.name }, this.#imports, tp, {
      poolSize: this.#threads.poolSize ?? 4,
      maxThreads: this.#threads.maxThreads ?? 64,
    }, { params: bytes && functionImportParams(bytes), threadLocalKeys: threadLocalsOf(this.#kernel).keys.buffer });
    this.#kernel.threads = dispatcher;
    this.#kernel.exports = dispatcher.exports;
    try {
      const end = await dispatcher.run();
      if ('error' in end) throw end.error;
      if ('exec' in end) throw new Error('unreachable: a program without process calls cannot exec');
      return end.exitCode;
    } finally {
      this.#kernel.threads = undefined;
      this.close();
      // A close may finish in the background: the run is over once its files are in storage.
      await Promise.all(this.#flushes.map((fs) => fs.flush!()));
    }
  }

  /** Runs a program that starts processes: the first process of a tree run by a ProcessRunner. */
  async #runProcesses(module: WebAssembly.Module, memory: WebAssembly.Memory, from: { module: string; name: string }, bytes: Uint8Array | undefined, tp: ThreadPlatform): Promise<number> {
    const k = this.#kernel;
    const runner = new ProcessRunner(
      k.kernel,
      (child) => {
        // A child is a program of its own: it gets every version, whatever the parent imports.
        const all: VersionId[] = ['preview1', 'snapshot0', 'ephemeral', 'wasix'];
        return importModules(all, child, child.memory, this.#trace);
      },
      tp,
      { poolSize: this.#threads.poolSize ?? 4, maxThreads: this.#threads.maxThreads ?? 64 },
      this.#commands,
      // Workers serve pipes themselves unless every call must pass the kernel's imports (a trace; the first process's buffered output, flushed before each call).
      (p) => !this.#trace && (p !== k || this.#coalesced.length === 0),
    );
    k.kernel.launcher = runner;
    const limits = bytes ? memoryImportOf(bytes) : undefined;
    const program = programOf(module, limits ?? { ...from, initial: 0, maximum: undefined, shared: true }, bytes);
    try {
      const end = await runner.runFirst(k, program, memory, this.#imports);
      if ('error' in end) throw end.error;
      return end.exitCode;
    } finally {
      k.kernel.launcher = undefined;
      k.threads = undefined;
      this.close();
      await Promise.all(this.#flushes.map((fs) => fs.flush!()));
    }
  }

  /**
   * Runs a command: calls `_start` and returns its exit code (0 when `_start` returns). With
   * `returnOnExit: false`, a `proc_exit` ends the host process instead. As with node:wasi, the fds stay
   * open afterwards, so the instance's exports may still make WASI calls on them, until `close()` (or
   * until this object and the instance are collected).
   */
  start(instance: WebAssembly.Instance): number {
    return this.#start(instance, undefined);
  }

  #start(instance: WebAssembly.Instance, memory: WebAssembly.Memory | undefined): number {
    const exports = this.#begin(instance, memory);
    const start = exports._start;
    if (typeof start !== 'function') throw argType('instance.exports._start', 'function', start);
    if (exports._initialize !== undefined) throw argType('instance.exports._initialize', 'undefined', exports._initialize);
    try {
      // Through the guest's stack: setjmp unwinds to here (src/threads/asyncify.ts).
      stackOf(this.#kernel).call(start as () => void, []);
      return 0;
    } catch (err) {
      if (!(err instanceof ProcExit)) throw err;
      if (!this.#returnOnExit) {
        this.#flushOutputs();
        this.#linger();
        getPlatform()!.exit(err.exitCode);
      }
      return err.exitCode;
    } finally {
      this.#flushOutputs();
      this.#linger();
    }
  }

  /** Prepares a reactor: calls `_initialize` if it exists; the instance's exports can then be called. */
  initialize(instance: WebAssembly.Instance): void {
    const exports = this.#begin(instance);
    if (exports._start !== undefined) throw argType('instance.exports._start', 'undefined', exports._start);
    const init = exports._initialize;
    if (init !== undefined && typeof init !== 'function') throw argType('instance.exports._initialize', 'function', init);
    if (init) (init as () => void)();
  }

  /** `memory`: the memory the instance imports, when it exports none (given by `run()`). */
  #begin(instance: WebAssembly.Instance, imported?: WebAssembly.Memory): WebAssembly.Exports {
    if (typeof instance !== 'object' || instance === null) throw argType('instance', 'object', instance);
    const exports = instance.exports as WebAssembly.Exports | undefined;
    if (typeof exports !== 'object' || exports === null) throw argType('instance.exports', 'object', exports);
    if (this.#started) throw new WasiStateError('ERR_WASI_ALREADY_STARTED', 'WASI instance has already started');
    if (this.#asyncPreopen !== undefined) {
      // Its promises could never settle while the guest waits on this very thread (blocking.ts).
      throw new WasiStateError(
        'ERR_WASI_NO_THREADS',
        `wasi-kit: the filesystem at ${this.#asyncPreopen} answers asynchronously, so the guest must run in a worker: run a threaded program (shared memory) with WASI.run()`,
      );
    }
    const memory = exports.memory ?? imported;
    if (!(memory instanceof WebAssembly.Memory)) throw argType('instance.exports.memory', 'WebAssembly.Memory', memory);
    this.#started = true;
    this.#memory.bind(memory);
    const stack = stackOf(this.#kernel);
    stack.bind(exports);
    this.#kernel.exports = entryPoints(exports, stack);
    return exports;
  }

  /**
   * Sends `signal` (a name such as `'SIGINT'`, or a WASIX number, which is Linux's) to the guest run by
   * `run()` in workers (a threaded program, or one that starts processes), as WASIX delivers signals:
   * to the guest's handler at its next signal point, or, without one, it ends with 128 + the signal
   * number (the rest of its process tree with it). False when no such guest is running (a program run
   * on this thread cannot be reached until it returns).
   */
  kill(signal: string | number = 'SIGTERM'): boolean {
    return this.#signal(this.#kernel, signalNumber(signal));
  }

  /**
   * Sends `signal` (default `'SIGINT'`) to the foreground group of the guest's terminal, as a terminal
   * driver does for Ctrl-C: every process still running that shares the first process's terminal (the
   * `terminal` option's), newest first. WASIX has no process groups, so these are one group, as under a
   * shell without job control: the command a shell waits for ends, and the shell, which ignores SIGINT
   * while it waits (POSIX), prompts again (see the README's terminal section). Returns how many
   * processes it reached: 0 when none runs in workers.
   */
  signalForeground(signal: string | number = 'SIGINT'): number {
    const sig = signalNumber(signal);
    const k = this.#kernel;
    const group = k.kernel.launcher ? k.kernel.processes.foreground(k.terminal) : [k];
    return group.filter((p) => this.#signal(p, sig)).length;
  }

  /** Delivers `sig` to `p`, run in workers: its handler at its next signal point, or its default action at once. */
  #signal(p: Process, sig: number): boolean {
    const d = p.threads as ThreadDispatcher | undefined;
    if (!d || p.status !== undefined) return false;
    if (p.kernel.launcher) {
      if (p.signals.terminates(sig)) p.kernel.launcher.kill(p, { signal: sig });
      else p.signals.raise(sig);
    } else if (p.signals.terminates(sig)) d.kill({ exitCode: 128 + sig, killed: { signal: sig } });
    else p.signals.raise(sig);
    d.poke();
    return true;
  }

  /**
   * Closes every fd the guest has open (files, directories, sockets, pipes; stdio never closes the
   * host fds it writes to) and the preopens. `run()` does it when the program ends; after `start()` or
   * `initialize()` it is the embedder's call. Closing twice does nothing more.
   */
  close(): void {
    this.#flushOutputs();
    closeWhenCollected.unregister(this);
    closeAll(this.#kernel.fds);
    this.#linger();
  }

  /**
   * Lets what the guest's closed sockets still have queued go out (up to {@link SOCKET_LINGER_MS}):
   * the program has ended, and the thread that owns the host's sockets may end next.
   */
  #linger(): void {
    getPlatform()?.network?.linger?.(SOCKET_LINGER_MS);
  }

  /** Writes what coalesced outputs hold (the program ended, or the embedder closes). */
  #flushOutputs(): void {
    for (const sink of this.#coalesced) sink.flush();
  }

  /** `close()`, for `using wasi = new WASI(...)`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** How long the end of a program waits for its closed sockets to send what they hold (README: sockets). */
const SOCKET_LINGER_MS = 2000;

/** The exports as the kernel calls them: only as entry points (signal callbacks), which setjmp may unwind to. */
function entryPoints(exports: WebAssembly.Exports, stack: GuestStack): WebAssembly.Exports {
  const out: WebAssembly.Exports = {};
  for (const name of Object.keys(exports)) {
    const v = exports[name]!;
    out[name] = typeof v === 'function' ? (...args: unknown[]) => stack.call(v as (...a: never[]) => unknown, args) : v;
  }
  return out;
}

/** The host fd behind an output option, if it is one. */
const outputFd = (v: WasiOptions['stdout'], fd: number) => (v === undefined ? fd : typeof v === 'number' ? v : typeof v === 'function' ? undefined : v.fd);

/**
 * An fd table entry for stdin, stdout or stderr. wasi-libc takes a character device without seek
 * rights for a terminal and line-buffers it, so only a real terminal is described that way; other
 * host fds as what they are, callbacks as pipes.
 */
function stdioEntry(p: Platform, o: WasiOptions, source: InputSource | undefined, sink: OutputSink | undefined, hostFd: number | undefined): NewFd {
  const kind = hostFd !== undefined ? p.hostFdKind(hostFd) : o.terminal ? 'tty' : 'unknown';
  const filetype = kind === 'tty' || kind === 'character_device' ? Filetype.character_device : kind === 'regular_file' ? Filetype.regular_file : Filetype.unknown;
  return {
    file: { kind: 'stdio', source, sink, filetype, fdflags: 0 },
    rightsBase: kind === 'tty' ? STDIO_RIGHTS : STDIO_RIGHTS | R.fd_seek | R.fd_tell,
    rightsInheriting: 0,
  };
}

const NO_COMMANDS: ReadonlyMap<string, CommandSource> = new Map();

/** The platform's clocks, randomness and sleep as a kernel takes them: made once per platform, not per WASI. */
const servicesOf = new WeakMap<Platform, Pick<KernelServices, 'clock' | 'randomFill' | 'hostSleepNs'>>();
function hostServices(p: Platform): Pick<KernelServices, 'clock' | 'randomFill' | 'hostSleepNs'> {
  let s = servicesOf.get(p);
  if (!s) servicesOf.set(p, (s = { clock: hostClock(p), randomFill: (into) => p.randomFill(into), hostSleepNs: (ns) => p.sleepNs(ns) }));
  return s;
}

function argType(option: string, expected: string, got: unknown): WasiOptionError {
  const what = got === undefined ? 'undefined' : got === null ? 'null' : `type ${typeof got}`;
  return new WasiOptionError('ERR_INVALID_ARG_TYPE', option, `The "${option}" property must be of type ${expected}. Received ${what}`);
}

/** A signal's WASIX number (Linux's) from its name (`'SIGINT'`, `'int'`) or number; throws for anything else. */
function signalNumber(signal: string | number): number {
  const sig = typeof signal === 'number' ? signal : typeof signal === 'string' ? (WasixSignal as Readonly<Record<string, number>>)[signal.replace(/^SIG/, '').toLowerCase()] : undefined;
  if (sig === undefined || !Number.isInteger(sig) || sig < 0 || sig >= SignalNames.length) throw argType('signal', 'signal name or number', signal);
  return sig;
}

function hostClock(p: Platform): ClockSource {
  return {
    now: (c: ClockName) => (c === 'realtime' ? p.realtimeNs() : c === 'monotonic' ? p.monotonicNs() : p.cpuTimeNs()),
    resolution: (c: ClockName) => (c === 'realtime' ? p.resolutionNs.realtime : c === 'monotonic' ? p.resolutionNs.monotonic : p.resolutionNs.cputime),
  };
}
