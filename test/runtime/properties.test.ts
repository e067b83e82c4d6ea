// Every preview1 syscall with random arguments (test/helpers/syscall-property.ts): each returns a
// valid errno (or, for proc_exit and proc_raise, throws ProcExit), never a host error, and writes
// guest memory only where the call was told to write. Signatures and out-pointer sizes come from
// generated/preview1/abi.json; errno values from wasi-libc's api.h.
import { afterAll, expect, it } from 'vitest';
import abi from '../../generated/preview1/abi.json' with { type: 'json' };
import { ProcExit, WASI } from '../../src/index.js';
import { tempDir } from '../helpers/run-program.js';
import { checkSyscalls, hostArea, preview1Buffers, type PropertyFn } from '../helpers/syscall-property.js';
import { ERRNO, REACTOR_WAT, wat } from './harness.js';

const MODULE = 'wasi_snapshot_preview1';
const FUNCTIONS: PropertyFn[] = (abi as unknown as { functions: Omit<PropertyFn, 'module'>[] }).functions.map((f) => ({ ...f, module: MODULE }));
const TYPES = (abi as unknown as { types: Record<string, { size: number }> }).types;

const module = await wat(REACTOR_WAT);
const dir = tempDir('wasi-kit-prop-');
afterAll(() => dir.cleanup());

it('every preview1 syscall with random arguments returns a valid errno and writes only where told', () => {
  expect(FUNCTIONS.map((f) => f.name).sort()).toEqual(Object.keys(new WASI({ version: 'preview1' }).wasiImport).sort());
  const { called } = checkSyscalls(
    {
      label: 'preview1',
      functions: FUNCTIONS,
      types: TYPES,
      validErrnos: new Set(Object.values(ERRNO)),
      instantiate(options) {
        const wasi = new WASI({ version: 'preview1', ...options });
        const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
        wasi.initialize(instance);
        return { imports: { [MODULE]: wasi.wasiImport }, memory: instance.exports.memory as WebAssembly.Memory };
      },
      buffers: (f, a, before) => preview1Buffers(f.name, a, before, TYPES.event!.size),
      allowedThrow: (f, _, err) => err instanceof ProcExit && (f.name === 'proc_exit' || f.name === 'proc_raise'),
      neverReturn: new Set(['proc_exit']),
    },
    hostArea(dir.path),
    Number(process.env.WASI_KIT_PROPERTY_RUNS ?? 2500),
  );
  expect([...called].sort()).toEqual(FUNCTIONS.map((f) => `${MODULE}.${f.name}`).sort());
}, 120_000);
