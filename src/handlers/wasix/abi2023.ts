import type { AbiCoreParam, AbiFunction, AbiType } from '../../abi/abi-json.js';
import { errnoOf, WasiError } from '../../abi/errno-of.js';
import type { GuestMemory } from '../../abi/memory.js';
import { Errno, Fdflags } from '../../../generated/wasix/types.js';
import type { Process } from '../../kernel/process.js';
import { ThreadLocalKeys, ThreadLocalValues } from './thread-locals.js';

// The 2023 WASIX ABI: what the 2023 toolchains (wasix-libc, Rust's wasm32-wasmer-wasi) import from
// `wasix_32v1` that the WITX no longer describes, checked against Wasmer's syscalls of that time
// (lib/wasi/src/syscalls/wasix/thread_spawn.rs, thread_local_*.rs). Some names are gone from the WITX
// (`thread_spawn`, `thread_local_*`); others remain with another signature (`proc_join`, later
// `sock_accept`). One mechanism serves both: every form is an `AbiFunction` (what the tracer decodes)
// with a raw implementation, and the import under a name with several forms picks one per call by its
// argument count. A wasm import's JavaScript function always receives exactly as many arguments as its
// type has parameters, so the count tells the forms apart without reading the module's import section,
// which `getImportObject()` is made without (node:wasi's order: the import object before the module).

type Raw = (...args: never[]) => number | void;

/** One form of an import: its ABI (for the tracer and the thread channel) and how to make its function. */
export interface ImportForm {
  readonly abi: AbiFunction;
  /** `witx`: the module's functions as the WITX (and preview1) define them, for a form that is one of them renamed. */
  make(k: Process, m: GuestMemory, witx: Readonly<Record<string, Raw>>): Raw;
}

const core = (name: string, type: 'i32' | 'i64', role: AbiCoreParam['role'], extra: Partial<AbiCoreParam> = {}): AbiCoreParam => ({ name, type, role, ...extra });
const value = (name: string, type: 'i32' | 'i64') => core(name, type, 'value', { param: name });
const out = (name: string, of: AbiType) => core(name, 'i32', 'out', { out: of });
const errnoResult = (ok: AbiType | null) => [{ name: 'error', type: { expected: { ok, error: 'errno' } } }];

function abi(name: string, params: { name: string; type: AbiType }[], ok: AbiType | null, coreParams: AbiCoreParam[]): AbiFunction {
  return { module: 'wasix_32v1', name, params, results: errnoResult(ok), noreturn: false, core: { params: coreParams, results: ['i32'] } };
}

/** A raw import returning an errno: WASI errors become their number, anything else surfaces as a host error. */
const guarded =
  <A extends unknown[]>(name: string, body: (...args: A) => void) =>
  (...args: A): number => {
    try {
      body(...args);
      return Errno.success;
    } catch (e) {
      return errnoOf(e, name, Errno);
    }
  };

const perProcess = new WeakMap<Process, { keys: ThreadLocalKeys; values: ThreadLocalValues }>();

/** The process's thread-local keys, and the values of the thread that runs on the kernel's own thread. */
export function threadLocalsOf(k: Process): { keys: ThreadLocalKeys; values: ThreadLocalValues } {
  let t = perProcess.get(k);
  if (!t) {
    const keys = new ThreadLocalKeys();
    perProcess.set(k, (t = { keys, values: new ThreadLocalValues(keys) }));
  }
  return t;
}

/** The four thread-local calls over one thread's values (the kernel's thread, or a worker's). */
export function threadLocalImports(values: ThreadLocalValues, m: GuestMemory): Record<'thread_local_create' | 'thread_local_destroy' | 'thread_local_set' | 'thread_local_get', Raw> {
  return {
    thread_local_create: guarded('thread_local_create', (userData: bigint, retKey: number) => {
      m.checkAligned(retKey >>> 0, 4, 4);
      m.view.setUint32(retKey >>> 0, values.keys.create(BigInt.asUintN(64, userData)), true);
    }),
    thread_local_destroy: guarded('thread_local_destroy', (key: number) => values.keys.destroy(key >>> 0)),
    thread_local_set: guarded('thread_local_set', (key: number, value: bigint) => values.set(key >>> 0, BigInt.asUintN(64, value))),
    thread_local_get: guarded('thread_local_get', (key: number, retValue: number) => {
      m.checkAligned(retValue >>> 0, 8, 8);
      m.view.setBigUint64(retValue >>> 0, values.get(key >>> 0), true);
    }),
  };
}

/** The calls of the 2023 ABI a guest thread answers itself (its thread-local values). */
export const THREAD_LOCALS_2023 = ['thread_local_create', 'thread_local_destroy', 'thread_local_set', 'thread_local_get'] as const;

const u64 = 'u64';
const key = 'u32';

/** Every form of the 2023 ABI. */
export const WASIX_2023: readonly ImportForm[] = [
  {
    // Runs the guest's `_start_thread(user_data_lo, user_data_hi)` in a new thread whose exported
    // `__stack_pointer` is `stack_base` (the top of its stack; `stack_start` is its bottom).
    abi: abi(
      'thread_spawn',
      [
        { name: 'user_data', type: u64 },
        { name: 'stack_base', type: u64 },
        { name: 'stack_start', type: u64 },
        { name: 'reactor', type: 'bool' },
      ],
      'tid',
      [value('user_data', 'i64'), value('stack_base', 'i64'), value('stack_start', 'i64'), value('reactor', 'i32'), out('ret_tid', 'tid')],
    ),
    make: (k, m) =>
      guarded('thread_spawn', (userData: bigint, stackBase: bigint, stackStart: bigint, reactor: number, retTid: number) => {
        m.checkAligned(retTid >>> 0, 4, 4);
        if (!k.threads) throw new WasiError('notsup', 'this program was started without threads: run it with WASI.run() (or the CLI), which gives threaded programs workers');
        // A reactor thread is called again whenever I/O is ready (Wasmer): nothing here drives that.
        if (reactor !== 0) throw new WasiError('notsup', 'reactor threads are not supported');
        const top = Number(BigInt.asUintN(32, stackBase));
        const bottom = Number(BigInt.asUintN(32, stackStart));
        const tid = k.threads.spawn(0, { top, bottom: bottom > 0 && bottom < top ? bottom : undefined }, BigInt.asUintN(64, userData));
        m.view.setUint32(retTid >>> 0, tid, true);
      }),
  },
  {
    // 2023's accept (wasix-libc's __wasi_sock_accept, Wasmer's sock_accept of that time): the listening
    // fd and the new fd's flags, then where the new fd and the peer's address go: sock_accept_v2 as the
    // WITX now names it. preview1's three-parameter sock_accept keeps the name for the other arity.
    abi: abi(
      'sock_accept',
      [
        { name: 'fd', type: 'fd' },
        { name: 'flags', type: 'fdflags' },
      ],
      { tuple: ['fd', 'addr_port'] },
      [value('fd', 'i32'), value('flags', 'i32'), out('ro_fd', 'fd'), out('ro_addr', 'addr_port')],
    ),
    make: (_k, _m, witx) => witx.sock_accept_v2!,
  },
  {
    abi: abi('thread_local_create', [{ name: 'user_data', type: u64 }], key, [value('user_data', 'i64'), out('ret_key', key)]),
    make: (k, m) => threadLocalImports(threadLocalsOf(k).values, m).thread_local_create,
  },
  {
    abi: abi('thread_local_destroy', [{ name: 'key', type: key }], null, [value('key', 'i32')]),
    make: (k, m) => threadLocalImports(threadLocalsOf(k).values, m).thread_local_destroy,
  },
  {
    abi: abi('thread_local_set', [{ name: 'key', type: key }, { name: 'val', type: u64 }], null, [value('key', 'i32'), value('val', 'i64')]),
    make: (k, m) => threadLocalImports(threadLocalsOf(k).values, m).thread_local_set,
  },
  {
    abi: abi('thread_local_get', [{ name: 'key', type: key }], u64, [value('key', 'i32'), out('ret_val', u64)]),
    make: (k, m) => threadLocalImports(threadLocalsOf(k).values, m).thread_local_get,
  },
];

/** `fd_event` of the 2023 libc, whose `EFD_NONBLOCK` is bit 4 (the WITX defines only `semaphore`, bit 1). */
const EFD_NONBLOCK_2023 = 4;

/**
 * `imports` (the WITX's `wasix_32v1`) with the 2023 forms: added under their names, or, where the name
 * is taken by another signature, chosen per call by the argument count.
 */
export function withWasix2023(imports: Record<string, Raw>, k: Process, m: GuestMemory): Record<string, Raw> {
  const out: Record<string, Raw> = { ...imports };
  for (const form of WASIX_2023) {
    const fn = form.make(k, m, imports) as (...a: unknown[]) => number | void;
    const other = out[form.abi.name] as ((...a: unknown[]) => number | void) | undefined;
    const n = form.abi.core.params.length;
    out[form.abi.name] = other === undefined ? (fn as Raw) : ((...args: unknown[]) => (args.length === n ? fn(...args) : other(...args))) as Raw;
  }
  const fdEvent = imports.fd_event as ((initial: bigint, flags: number, retFd: number) => number) | undefined;
  if (fdEvent) {
    out.fd_event = ((initial: bigint, flags: number, retFd: number) => {
      if ((flags & EFD_NONBLOCK_2023) === 0) return fdEvent(initial, flags, retFd);
      const r = fdEvent(initial, flags & ~EFD_NONBLOCK_2023, retFd);
      if (r === Errno.success) k.fds.get(m.view.getUint32(retFd >>> 0, true), 0).fdflags |= Fdflags.nonblock;
      return r;
    }) as Raw;
  }
  return out;
}
