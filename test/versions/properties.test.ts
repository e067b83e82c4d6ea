// test/runtime/properties.test.ts extended to every function of snapshot0 and of the ephemeral
// phase (test/helpers/syscall-property.ts): random arguments, each call returns an errno of that
// version (or, for the exits, throws ProcExit), never a host error, and writes guest memory only
// where it was told to write. Signatures and out-pointer sizes come from generated/<version>/abi.json;
// the errno range from the version's WITX text.
import { afterAll, describe, expect, it } from 'vitest';
import s0Abi from '../../generated/snapshot0/abi.json' with { type: 'json' };
import ephAbi from '../../generated/ephemeral/abi.json' with { type: 'json' };
import { ProcExit, WASI } from '../../src/index.js';
import { tempDir } from '../helpers/run-program.js';
import { canonical, checkSyscalls, hostArea, key, preview1Buffers, type PropertyFn } from '../helpers/syscall-property.js';
import { REACTOR_WAT, wat } from '../runtime/harness.js';
import { witxCases } from './guest.js';

interface Abi {
  functions: PropertyFn[];
  types: Record<string, { size: number }>;
}

const module = await wat(REACTOR_WAT);
const dir = tempDir('wasi-kit-vprop-');
afterAll(() => dir.cleanup());
const RUNS = Number(process.env.WASI_KIT_PROPERTY_RUNS ?? 1500);

describe.each([
  ['snapshot0', s0Abi as unknown as Abi],
  ['ephemeral', ephAbi as unknown as Abi],
] as const)('%s', (version, abi) => {
  it(`every ${version} function with random arguments returns a valid errno and writes only where told`, () => {
    const served = new WASI({ version }).getImportObject();
    expect(abi.functions.map(key).sort()).toEqual(Object.entries(served).flatMap(([m, fns]) => Object.keys(fns).map((n) => `${m}.${n}`)).sort());
    const { called } = checkSyscalls(
      {
        label: version,
        functions: abi.functions,
        types: abi.types,
        validErrnos: new Set(witxCases(version, 'errno').map((_, i) => i)),
        instantiate(options) {
          const wasi = new WASI({ ...options, version });
          const imports = wasi.getImportObject();
          const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
          wasi.initialize(instance);
          return { imports: imports as Record<string, Record<string, unknown>>, memory: instance.exports.memory as WebAssembly.Memory };
        },
        buffers: (f, a, before) => preview1Buffers(canonical(f), a, before, abi.types.event!.size),
        allowedThrow(f, args, err) {
          const name = canonical(f);
          if (err instanceof ProcExit) return name === 'proc_exit' || name === 'proc_raise';
          // An exit code outside ephemeral's u8 cannot be answered with an errno: it traps.
          return version === 'ephemeral' && name === 'proc_exit' && (args[0] as number) >>> 0 > 0xff && err instanceof WebAssembly.RuntimeError;
        },
        neverReturn: new Set(['proc_exit']),
      },
      hostArea(dir.path),
      RUNS,
    );
    expect([...called].sort()).toEqual(abi.functions.map(key).sort());
  }, 180_000);
});
