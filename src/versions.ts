import * as ephemeral from '../generated/ephemeral/index.js';
import type { AbiJson } from './abi/abi-json.js';
import type { GuestMemory } from './abi/memory.js';
import * as preview1 from '../generated/preview1/index.js';
import * as snapshot0 from '../generated/snapshot0/index.js';
import * as wasix from '../generated/wasix/index.js';
import * as wasix64 from '../generated/wasix64/index.js';
import * as wasix64p1 from '../generated/wasix64-preview1/index.js';
import { WASM64 } from './abi/guest-abi.js';
import { ephemeralHandWritten } from './handlers/ephemeral.js';
import { madeAll, preview1Handlers } from './handlers/preview1/index.js';
import { snapshot0HandWritten } from './handlers/snapshot0.js';
import { wasix64Handlers, wasixHandlers, wasixProcRaise } from './handlers/wasix.js';
import { WASIX_2023, withWasix2023 } from './handlers/wasix/abi2023.js';
import { procJoinByArity } from './handlers/wasix/proc.js';
import type { Process } from './kernel/process.js';
import { traced, type ImportFunctions, type TraceEvent } from './trace.js';
import type { WasiSnapshotPreview1 } from '../generated/preview1/handlers.js';

export { VERSION_IDS, type VersionId } from './version-ids.js';
import type { VersionId } from './version-ids.js';

/** Import module -> raw functions. */
export type ImportModules = Record<string, ImportFunctions>;

/** Each version's ABI, parsed on first use (tracing, thread workers): most runs never read it. */
const ABIS: Record<VersionId, () => AbiJson> = { preview1: preview1.abi, snapshot0: snapshot0.abi, ephemeral: ephemeral.abi, wasix: wasix.abi, wasix64: wasix64.abi };
const ERRNO_NAMES: Record<VersionId, readonly string[]> = {
  preview1: preview1.ErrnoNames,
  snapshot0: snapshot0.ErrnoNames,
  ephemeral: ephemeral.ErrnoNames,
  wasix: wasix.ErrnoNames,
  wasix64: wasix64.ErrnoNames,
};

/**
 * `wasix_32v1` carries preview1's functions as well as its 86 extensions. They are preview1's own
 * shims: WASIX restates preview1's types with the same layouts and only appends members (errnos,
 * filetypes, rights), so every value preview1 writes means the same there; the one renumbered type a
 * preview1 function takes is `signal`, converted for `proc_raise` (test/codegen/wasix.test.ts).
 */
let wasixP1Abi: AbiJson['functions'] | undefined;
const WASIX_P1_ABI = () => (wasixP1Abi ??= preview1.abi().functions.map((f) => ({ ...f, module: 'wasix_32v1' })));
/** `wasix_64v1`'s preview1 functions: generated again at pointer size 8 (i64 pointers, 16-byte iovecs). */
const WASIX64_P1_ABI = () => wasix64p1.abi().functions;
/** The functions a version's module carries beyond its own WITX: preview1's, and for wasix_32v1 the 2023 forms. */
const P1_ABI_OF: Partial<Record<VersionId, () => AbiJson['functions']>> = {
  wasix: () => [...WASIX_P1_ABI(), ...WASIX_2023.map((f) => f.abi)],
  wasix64: WASIX64_P1_ABI,
};

/** Each version's import module names, known before any of its modules is built. */
const MODULE_NAMES: Record<VersionId, readonly string[]> = {
  preview1: ['wasi_snapshot_preview1'],
  snapshot0: snapshot0.IMPORT_MODULE_NAMES,
  ephemeral: ephemeral.IMPORT_MODULE_NAMES,
  wasix: ['wasix_32v1'],
  wasix64: ['wasix_64v1'],
};

/** The import modules a version serves. */
export const moduleNamesOf = (v: VersionId): readonly string[] => MODULE_NAMES[v];

/**
 * The import modules of the given versions, every one served by the single preview1 implementation
 * over one kernel: snapshot0 and ephemeral through their generated adapters and small hand-written
 * files. Each is a getter that builds its version's modules (handlers, shims, tracing, `wrap`) on the
 * first read: `WebAssembly.instantiate` reads only the modules the program imports, so `'auto'`
 * builds WASIX's hundred-odd handlers only for a program that asks for them. Assigning to one
 * replaces it, as with a plain object; `copyImportModules` copies without building.
 */
export function importModules(
  versions: readonly VersionId[],
  k: Process,
  m: GuestMemory,
  trace?: (e: TraceEvent) => void,
  wrap?: (fns: ImportFunctions) => ImportFunctions,
): ImportModules {
  let p1: WasiSnapshotPreview1 | undefined;
  const built = new Map<VersionId, ImportModules>();
  const build = (v: VersionId): ImportModules => {
    let mods = built.get(v);
    if (!mods) {
      mods = versionModules(v, (p1 ??= preview1Handlers(k)), k, m, trace);
      if (wrap) for (const name of Object.keys(mods)) mods[name] = wrap(mods[name]!);
      built.set(v, mods);
    }
    return mods;
  };
  const out: ImportModules = {};
  for (const v of versions) {
    for (const name of MODULE_NAMES[v]) {
      Object.defineProperty(out, name, {
        enumerable: true,
        configurable: true,
        get: () => build(v)[name],
        set(this: ImportModules, value: ImportFunctions) {
          Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
        },
      });
    }
  }
  return out;
}

/** A copy of import modules from `importModules` that builds none of them (a spread would build all). */
export const copyImportModules = (mods: ImportModules): ImportModules => Object.defineProperties({}, Object.getOwnPropertyDescriptors(mods));

/** Each version's import modules over the preview1 handlers, one builder each: a run compiles only those it reads. */
const BUILDERS: Record<VersionId, (p1: WasiSnapshotPreview1, k: Process, m: GuestMemory) => ImportModules> = {
  preview1: (p1, k, m) => ({ wasi_snapshot_preview1: preview1.createWasiSnapshotPreview1Imports(p1, m) }),
  // Their adapters copy preview1's handler functions: made now, not their stand-ins (handlers/preview1/index.ts).
  snapshot0: (p1, k, m) => snapshot0.createImportModules(madeAll(p1), { wasi_unstable: snapshot0HandWritten(k) }, m),
  ephemeral: (p1, k, m) => ephemeral.createImportModules(madeAll(p1), ephemeralHandWritten(k, p1), m),
  wasix(p1, k, m) {
    const base = preview1.createWasiSnapshotPreview1Imports(p1, m);
    const ext = wasix.createWasix32v1Imports(wasixHandlers(k, p1), m);
    const witx = { ...base, proc_raise: wasixProcRaise(base.proc_raise, k), ...ext, proc_join: procJoinByArity(ext.proc_join as (...a: number[]) => number, k) };
    return { wasix_32v1: withWasix2023(witx as Parameters<typeof withWasix2023>[0], k, m) as ImportFunctions };
  },
  wasix64(p1, k, m) {
    const p64 = preview1Handlers(k, WASM64);
    const base = wasix64p1.createWasix64v1Imports(p64, m);
    return { wasix_64v1: { ...base, proc_raise: wasixProcRaise(base.proc_raise, k), ...wasix64.createWasix64v1Imports(wasix64Handlers(k, p64), m) } };
  },
};

/** One version's import modules, built now. */
function versionModules(v: VersionId, p1: WasiSnapshotPreview1, k: Process, m: GuestMemory, trace?: (e: TraceEvent) => void): ImportModules {
  const mods = BUILDERS[v](p1, k, m);
  return trace ? tracedModules(v, mods, k, m, trace) : mods;
}

/** `mods` with every call reported to `trace`, named from the version's ABI. */
function tracedModules(v: VersionId, mods: ImportModules, k: Process, m: GuestMemory, trace: (e: TraceEvent) => void): ImportModules {
  for (const [name, fns] of Object.entries(mods)) {
    const abi = [...ABIS[v]().functions.filter((f) => f.module === name), ...(P1_ABI_OF[v]?.() ?? [])];
    mods[name] = traced(fns, abi, ERRNO_NAMES[v], m, trace, () => {
      const tid = (k.threads ?? k.borrowedThreads)?.currentTid;
      return tid === undefined ? undefined : { pid: k.pid, tid };
    });
  }
  return mods;
}

/** The version a module's import names belong to, if any. */
export function versionOfModuleName(name: string): VersionId | undefined {
  if (name === 'wasi_snapshot_preview1') return 'preview1';
  if (name === 'wasi_unstable') return 'snapshot0';
  if (name.startsWith('wasi_ephemeral_')) return 'ephemeral';
  if (name === 'wasix_32v1') return 'wasix';
  if (name === 'wasix_64v1') return 'wasix64';
  return undefined;
}

/**
 * The core wasm parameter types of an import wasi-kit serves (`undefined` for any other), from the
 * generated ABI data: what a guest thread's worker needs to pass the raw arguments to the kernel.
 */
export function coreParamsOf(module: string, name: string): readonly ('i32' | 'i64')[] | undefined {
  if (module === 'wasi' && name === 'thread-spawn') return ['i32'];
  const v = versionOfModuleName(module);
  if (v === undefined) return undefined;
  const f = ABIS[v]().functions.find((x) => x.module === module && x.name === name) ?? P1_ABI_OF[v]?.().find((x) => x.name === name);
  return f?.core.params.map((p) => p.type as 'i32' | 'i64');
}
