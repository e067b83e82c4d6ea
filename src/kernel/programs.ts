import { Unwind, WasiError } from '../abi/errno-of.js';
import { activeDataRanges, functionImportParams, memoryImportOf, withImportedSharedMemory, type MemoryImport } from '../threads/module-imports.js';
import { Blocked } from './blocking.js';

/** A program as the `commands` option names it: a compiled module, its bytes, or a function giving either (maybe later). */
export type CommandSource =
  | WebAssembly.Module
  | ArrayBuffer
  | ArrayBufferView
  | (() => WebAssembly.Module | ArrayBuffer | ArrayBufferView | Promise<WebAssembly.Module | ArrayBuffer | ArrayBufferView>);

/** A program ready to run in a worker: its module (importing a shared memory) and that memory's limits. */
export interface Program {
  readonly module: WebAssembly.Module;
  readonly memory: MemoryImport;
  /** The core parameter types of its function imports, by `module.name` (the ABI of each import). */
  readonly params: ReadonlyMap<string, readonly string[]>;
  /** Where instantiating it writes memory (its active data segments); undefined when not known. */
  readonly data: readonly (readonly [number, number])[] | undefined;
}

type Entry = { state: 'loading' } | { state: 'ready'; program: Program } | { state: 'failed'; error: WasiError };

const asBytes = (v: ArrayBuffer | ArrayBufferView): Uint8Array => (v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));

/**
 * Compiles programs once per key and keeps them (a command name, or a file with its size and time).
 * Compiling is asynchronous (a browser refuses to compile a large module synchronously on its main
 * thread), and a syscall must answer synchronously: the first request starts it and parks the call
 * (kernel/blocking.ts), which runs again until the program is ready; a program that is not
 * WebAssembly is `noexec`.
 */
export class ProgramCache {
  readonly #entries = new Map<string, Entry>();

  /** The program under `key`, made from `source()` on first use: ready, or parks the call. */
  get(key: string, source: () => CommandSource): Program {
    const e = this.#entries.get(key);
    if (e?.state === 'ready') return e.program;
    if (e?.state === 'failed') throw e.error;
    if (!e) {
      this.#entries.set(key, { state: 'loading' });
      compile(source).then(
        (program) => this.#entries.set(key, { state: 'ready', program }),
        (err: unknown) => {
          // A loader whose file is gone (the CLI's --command) is a missing program; anything else is not one.
          const missing = (err as { code?: unknown } | undefined)?.code === 'ENOENT';
          const error = err instanceof WasiError ? err : new WasiError(missing ? 'noent' : 'noexec', err instanceof Error ? err.message : String(err));
          this.#entries.set(key, { state: 'failed', error });
        },
      );
    }
    // Settled by a promise: the dispatcher looks again every few milliseconds (an external wait).
    throw new Blocked(undefined, true);
  }
}

async function compile(source: () => CommandSource): Promise<Program> {
  let v: CommandSource | Awaited<ReturnType<Extract<CommandSource, () => unknown>>> = source();
  if (typeof v === 'function') v = await v();
  if (v instanceof WebAssembly.Module) {
    throw new WasiError('noexec', 'a compiled WebAssembly.Module cannot be given a memory of its own limits: give its bytes');
  }
  if (!(v instanceof ArrayBuffer) && !ArrayBuffer.isView(v)) throw new WasiError('noexec', 'a command must be a module, its bytes, or a function giving either');
  const bytes = asBytes(v);
  let prepared: { bytes: Uint8Array; limits: MemoryImport } | undefined;
  try {
    const imported = memoryImportOf(bytes);
    prepared = imported ? { bytes, limits: imported } : withImportedSharedMemory(bytes);
  } catch (err) {
    throw new WasiError('noexec', err instanceof Error ? err.message : String(err));
  }
  if (!prepared) throw new WasiError('noexec', 'the program has no memory');
  if (!prepared.limits.shared) throw new WasiError('noexec', 'the program imports a memory that is not shared: a process runs in a worker, so its memory must be shared');
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(prepared.bytes as Uint8Array<ArrayBuffer>);
  } catch (err) {
    throw new WasiError('noexec', err instanceof Error ? err.message : String(err));
  }
  return { module, memory: prepared.limits, params: functionImportParams(prepared.bytes), data: activeDataRanges(prepared.bytes) };
}

/** The same for a program already prepared synchronously by the host (the first process, given by run()). */
export function programOf(module: WebAssembly.Module, memory: MemoryImport, bytes: Uint8Array | undefined): Program {
  return { module, memory, params: bytes ? functionImportParams(bytes) : new Map(), data: bytes ? activeDataRanges(bytes) : undefined };
}

/**
 * Thrown by `proc_exec*` once the new image is loaded: unwinds the calling thread's syscall so the
 * process's dispatcher ends the old instance and starts `program` in the same process (same pid).
 */
export class ExecImage extends Unwind {
  constructor(
    readonly program: Program,
    readonly args: readonly string[],
    readonly env: readonly string[],
  ) {
    super('exec');
  }
}
