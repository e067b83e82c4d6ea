// The property run of test/helpers/syscall-property.ts for every WASIX function that does not
// wait: the 86 extensions of generated/wasix/abi.json and preview1's functions as wasix_32v1 serves
// them. Random arguments, pointers anywhere, huge lengths: each call returns a WASIX errno (or ends
// the process or traps where the README says it does), never a host error, and writes guest memory
// only where it was told to write. The errno range comes from the WASIX WITX text.
import { afterAll, expect, it } from 'vitest';
import preview1Abi from '../../generated/preview1/abi.json' with { type: 'json' };
import wasixAbi from '../../generated/wasix/abi.json' with { type: 'json' };
import { WASIX_2023 } from '../../src/handlers/wasix/abi2023.js';
import { ProcExit, WASI } from '../../src/index.js';
import { tempDir } from '../helpers/run-program.js';
import { canonical, checkSyscalls, hostArea, key, preview1Buffers, type PropertyFn, type Region } from '../helpers/syscall-property.js';
import { REACTOR_WAT, wat } from '../runtime/harness.js';
import { wasixCases } from './guest.js';

const MODULE = 'wasix_32v1';
type Abi = { functions: Omit<PropertyFn, 'module'>[]; types: Record<string, { size: number }> };
const wasix = wasixAbi as unknown as Abi;
const preview1 = preview1Abi as unknown as Abi;

/**
 * Calls that wait by design, left out: thread_sleep sleeps its duration, futex_wait its timeout,
 * epoll_wait its timeout; proc_raise_interval arms a timer that a later read of an empty pipe waits
 * for (on the only thread that read is deadlk at once, but intr when a timer is armed).
 */
const WAITS = new Set(['thread_sleep', 'futex_wait', 'epoll_wait', 'proc_raise_interval']);
/** Calls that end the process (the main thread's exit) or trap (no errno to return), per the README. */
const EXITS = new Set(['proc_exit', 'thread_exit']);
const TRAPS = new Set(['stack_restore', 'proc_exec', 'proc_exec2']);

/** The 2023 ABI's forms (handlers/wasix/abi2023.ts): names the WITX no longer has, and sock_accept's four-parameter form beside preview1's. */
const FORMS_2023 = WASIX_2023.map((f) => f.abi as unknown as Omit<PropertyFn, 'module'>);
const FUNCTIONS: PropertyFn[] = [...preview1.functions, ...wasix.functions, ...FORMS_2023].filter((f) => !WAITS.has(f.name)).map((f) => ({ ...f, module: MODULE }));
// The 2023 forms write plain integers through their out-pointers (a key, a value).
const TYPES: Record<string, { size: number }> = { ...preview1.types, ...wasix.types, u32: { size: 4 }, u64: { size: 8 } };

/** What WASIX's own calls write besides out-pointers. */
function wasixBuffers(name: string, a: Record<string, number>, before: DataView): Region[] {
  switch (name) {
    case 'getcwd': {
      // The path (up to the length *path_len held) and the length written back.
      const room = a.path_len! + 4 <= before.byteLength ? before.getUint32(a.path_len!, true) : 0;
      return [
        [a.path!, a.path! + room],
        [a.path_len!, a.path_len! + 4],
      ];
    }
    case 'tty_get':
      return [[a.state!, a.state! + TYPES.tty!.size]];
    default:
      return [];
  }
}

const module = await wat(REACTOR_WAT);
const dir = tempDir('wasi-kit-wprop-');
afterAll(() => dir.cleanup());

it('every WASIX function that does not wait, with random arguments, returns a valid errno and writes only where told', () => {
  const served = Object.keys(new WASI({ version: 'wasix' }).getImportObject()[MODULE]!);
  expect([...new Set([...FUNCTIONS.map((f) => f.name), ...WAITS])].sort()).toEqual(served.sort());
  const { called } = checkSyscalls(
    {
      label: 'wasix',
      functions: FUNCTIONS,
      types: TYPES,
      validErrnos: new Set(wasixCases('errno').map((_, i) => i)),
      instantiate(options) {
        const wasi = new WASI({ ...options, version: 'wasix' });
        const imports = wasi.getImportObject();
        const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
        wasi.initialize(instance);
        return { imports: imports as Record<string, Record<string, unknown>>, memory: instance.exports.memory as WebAssembly.Memory };
      },
      buffers: (f, a, before) => [...preview1Buffers(canonical(f), a, before, TYPES.event!.size), ...wasixBuffers(f.name, a, before)],
      allowedThrow(f, _, err) {
        // A signal's default action ends the process with 128 + signo, in whichever call delivers it.
        if (err instanceof ProcExit) return EXITS.has(f.name) || err.exitCode > 128;
        // A call without an errno answers bad input by trapping (trapOf), as wasmtime does.
        return (TRAPS.has(f.name) || !f.core.results?.length) && err instanceof WebAssembly.RuntimeError;
      },
      noResult: new Set(['callback_signal']),
      neverReturn: new Set([...EXITS, ...TRAPS]),
    },
    hostArea(dir.path),
    Number(process.env.WASI_KIT_PROPERTY_RUNS ?? 1000),
  );
  expect([...called].sort()).toEqual([...new Set(FUNCTIONS.map(key))].sort());
}, 180_000);
