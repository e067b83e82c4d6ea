// Every preview1 syscall with random arguments: each returns a valid errno (or, for proc_exit and
// proc_raise, throws ProcExit), never a host error, and writes guest memory only where the call was
// told to write. Signatures and out-pointer sizes come from generated/preview1/abi.json; errno values
// from wasi-libc's api.h.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import abi from '../../generated/preview1/abi.json' with { type: 'json' };
import { MemoryFileSystem, ProcExit, WASI } from '../../src/index.js';
import { tempDir } from '../helpers/run-program.js';
import { ERRNO, REACTOR_WAT, wat } from './harness.js';

interface CoreParam {
  name: string;
  type: string;
  role: string;
  out?: unknown;
}
interface Fn {
  name: string;
  core: { params: CoreParam[] };
}
const FUNCTIONS = (abi as { functions: Fn[] }).functions;
const TYPES = (abi as unknown as { types: Record<string, { size: number }> }).types;

const PAGE = 65536;
const VALID_ERRNOS = new Set(Object.values(ERRNO));
const ARGS = ['prog', 'ä✓', ''];
const ENV = { KEY: 'välue', E: '' };
const argBytes = (list: string[]) => list.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0);
const ENV_LIST = Object.entries(ENV).map(([k, v]) => `${k}=${v}`);

// Fixed content at the bottom of memory so random pointers often land on something meaningful:
// path strings at STRINGS, valid iovecs at IOVECS pointing into a scratch area.
const STRINGS = 256;
const PATHS = ['f', 'd', 'd/g', '..', 'sym', 'new', 'd/../f', '/etc', 'nope/x', 'loop'];
const IOVECS = 512;

const outSize = (out: unknown): number => {
  if (typeof out === 'string') {
    const t = TYPES[out];
    if (!t) throw new Error(`abi.json has no type ${out}`);
    return t.size;
  }
  throw new Error(`unexpected out type ${JSON.stringify(out)}`);
};

// i32 arguments as wasm passes them (signed), biased to small numbers (fds, flags), pointers to the
// prepared areas, and the edges of memory and of the 32-bit range.
const u32ToI32 = (x: number) => x | 0;
const i32Arb = fc
  .oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 9 }) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: PATHS.length - 1 }).map((i) => STRINGS + 16 * i) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 7 }).map((i) => IOVECS + 8 * i) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: PAGE - 1 }) },
    { weight: 2, arbitrary: fc.integer({ min: -64, max: 64 }).map((d) => PAGE + d) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 64 }).map((d) => 0xffffffff - d) },
    { weight: 1, arbitrary: fc.integer({ min: -64, max: 64 }).map((d) => 0x80000000 + d) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
    { weight: 1, arbitrary: fc.constantFrom(1, 2, 3, 4, 8, 16, 64, 255, 4096, 0x7fffffff) },
  )
  .map(u32ToI32);
const i64Arb = fc.oneof(
  { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 16n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
  { weight: 1, arbitrary: fc.constantFrom(-1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n, 2n ** 40n, 0x3fffffffn) },
);

const callArb = fc.constantFrom(...FUNCTIONS).chain((f) =>
  fc.tuple(fc.constant(f), fc.tuple(...f.core.params.map((p) => (p.type === 'i64' ? i64Arb : i32Arb)))),
);
const runArb = fc.record({
  memory: fc.uint8Array({ minLength: 4096, maxLength: 4096 }),
  iovLens: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 8, maxLength: 8 }),
  calls: fc.array(callArb, { minLength: 10, maxLength: 30 }),
});

type Region = [start: number, end: number];

/** The bytes `f` may write, from its arguments and the memory before the call. */
function allowedRegions(f: Fn, args: (number | bigint)[], before: DataView): Region[] {
  const a: Record<string, number> = {};
  f.core.params.forEach((p, i) => (a[p.name] = p.type === 'i32' ? (args[i] as number) >>> 0 : 0));
  const regions: Region[] = [];
  const add = (ptr: number, len: number) => regions.push([ptr, ptr + len]);
  for (const p of f.core.params) if (p.role === 'out') add(a[p.name]!, outSize(p.out));
  const iovecTargets = (iovs: number, count: number) => {
    for (let i = 0; i < count && iovs + 8 * i + 8 <= PAGE; i++) add(before.getUint32(iovs + 8 * i, true), before.getUint32(iovs + 8 * i + 4, true));
  };
  switch (f.name) {
    case 'fd_read':
    case 'fd_pread':
      iovecTargets(a.iovs!, a.iovs_len!);
      break;
    case 'sock_recv':
      iovecTargets(a.ri_data!, a.ri_data_len!);
      break;
    case 'fd_readdir':
    case 'path_readlink':
    case 'random_get':
      add(a.buf!, a.buf_len!);
      break;
    case 'fd_prestat_dir_name':
      add(a.path!, a.path_len!);
      break;
    case 'args_get':
      add(a.argv!, 4 * ARGS.length);
      add(a.argv_buf!, argBytes(ARGS));
      break;
    case 'environ_get':
      add(a.environ!, 4 * ENV_LIST.length);
      add(a.environ_buf!, argBytes(ENV_LIST));
      break;
    case 'poll_oneoff':
      add(a.out!, 32 * a.nsubscriptions!);
      break;
  }
  return regions;
}

const module = await wat(REACTOR_WAT);
const host = tempDir('wasi-kit-prop-');
const hostSandbox = join(host.path, 'sandbox');
mkdirSync(join(hostSandbox, 'd'), { recursive: true });
writeFileSync(join(hostSandbox, 'f'), 'host file');
writeFileSync(join(hostSandbox, 'd/g'), 'g');
symlinkSync('f', join(hostSandbox, 'sym'));
symlinkSync('loop', join(hostSandbox, 'loop'));
writeFileSync(join(host.path, 'secret'), 'secret');
afterAll(() => host.cleanup());

// A clock that leaps 2^64 ns per reading, so a poll_oneoff deadline is always already past and no
// random timeout makes the test sleep.
let tick = 0n;
const leapingClock = { now: () => (tick += 1n << 64n), resolution: () => 1n };

const enc = new TextEncoder();
let calls = 0;
const called = new Set<string>();
const failures: string[] = [];

function runOnce(run: { memory: Uint8Array; iovLens: number[]; calls: [Fn, (number | bigint)[]][] }) {
  const wasi = new WASI({
    version: 'preview1',
    args: ARGS,
    env: ENV,
    stdin: () => null,
    stdout: () => {},
    stderr: () => {},
    clock: leapingClock,
    preopens: {
      '/m': new MemoryFileSystem({ '/f': 'memory file', '/d/g': 'g' }, { maxBytes: 1 << 20 }),
      '/h': hostSandbox,
    },
  });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
  wasi.initialize(instance);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const u8 = new Uint8Array(memory.buffer);
  const view = new DataView(memory.buffer);
  u8.set(run.memory, 0);
  PATHS.forEach((p, i) => u8.set(enc.encode(p), STRINGS + 16 * i));
  run.iovLens.forEach((len, i) => {
    view.setUint32(IOVECS + 8 * i, 8192 + 512 * i, true);
    view.setUint32(IOVECS + 8 * i + 4, len, true);
  });
  for (const [f, args] of run.calls) {
    calls++;
    called.add(f.name);
    const before = u8.slice();
    const where = `${f.name}(${args.map(String).join(', ')})`;
    let result: unknown;
    try {
      result = (wasi.wasiImport[f.name] as unknown as (...a: unknown[]) => unknown)(...args);
      if (f.name === 'proc_exit') failures.push(`${where}: returned ${String(result)} instead of throwing ProcExit`);
      else if (typeof result !== 'number' || !VALID_ERRNOS.has(result)) failures.push(`${where}: returned ${String(result)}, not an errno`);
    } catch (err) {
      if (!(err instanceof ProcExit && (f.name === 'proc_exit' || f.name === 'proc_raise'))) {
        failures.push(`${where}: threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      }
    }
    if (!Buffer.from(before.buffer).equals(Buffer.from(memory.buffer))) {
      const allowed = allowedRegions(f, args, new DataView(before.buffer));
      const now = new Uint8Array(memory.buffer);
      for (let i = 0; i < PAGE; i++) {
        if (before[i] !== now[i] && !allowed.some(([s, e]) => i >= s && i < e)) {
          failures.push(`${where}: wrote byte ${i} outside [${allowed.map(([s, e]) => `${s}..${e}`).join(', ')}]`);
          break;
        }
      }
    }
  }
}

it('every preview1 syscall with random arguments returns a valid errno and writes only where told', () => {
  expect(FUNCTIONS.map((f) => f.name).sort()).toEqual(Object.keys(new WASI({ version: 'preview1' }).wasiImport).sort());
  fc.assert(
    fc.property(runArb, (run) => {
      runOnce(run);
    }),
    { numRuns: 2500, seed: Number(process.env.WASI_KIT_PROPERTY_SEED ?? Date.now() % 2 ** 31) },
  );
  const distinct = [...new Set(failures.map((f) => f.replace(/\(.*?\):/, ':').replace(/-?\d+/g, 'N')))];
  console.log(`property: ${calls} calls, ${failures.length} failures`);
  expect([...called].sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
  expect({ failures: failures.length, kinds: distinct.slice(0, 20), examples: failures.slice(0, 10) }).toEqual({ failures: 0, kinds: [], examples: [] });
  // The sandbox held: nothing outside the preopened host directory changed.
  expect(readdirSync(host.path).sort()).toEqual(['sandbox', 'secret']);
  expect(readFileSync(join(host.path, 'secret'), 'utf8')).toBe('secret');
}, 120_000);
