/**
 * The property run shared by every WASI version's test: each function called with random arguments
 * (pointers anywhere, huge lengths) returns a valid errno (or throws what the spec allows, such as
 * ProcExit), never a host error, and writes guest memory only where it was told to write; the host
 * directory outside the preopen is never touched.
 *
 * A failing run throws inside the property, so fast-check shrinks it to a short sequence of calls;
 * the error names the seed and path, and `WASI_KIT_PROPERTY_SEED` (with `WASI_KIT_PROPERTY_PATH`)
 * replays exactly that run. Each run starts from the same host files and a fresh instance, so a
 * replay sees what the failing run saw.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { MemoryFileSystem, type WasiOptions } from '../../src/index.js';

export interface CoreParam {
  name: string;
  type: string;
  role: string;
  out?: unknown;
}
export interface PropertyFn {
  module: string;
  name: string;
  core: { params: CoreParam[]; results?: string[] };
}
export type Region = [start: number, end: number];
/** The i32 arguments of a call as unsigned numbers, by parameter name. */
export type Args = Record<string, number>;

export const PAGE = 65536;
export const ARGS = ['prog', 'ä✓', ''];
export const ENV = { KEY: 'välue', E: '' };
const ENV_LIST = Object.entries(ENV).map(([k, v]) => `${k}=${v}`);
const argBytes = (list: string[]) => list.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0);

// Fixed content at the bottom of memory so random pointers often land on something meaningful:
// path strings at STRINGS, valid iovecs at IOVECS pointing into a scratch area.
const STRINGS = 256;
const PATHS = ['f', 'd', 'd/g', '..', 'sym', 'new', 'd/../f', '/etc', 'nope/x', 'loop'];
const IOVECS = 512;

// i32 arguments as wasm passes them (signed), biased to small numbers (fds, flags), pointers to the
// prepared areas, and the edges of memory and of the 32-bit range.
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
  .map((x) => x | 0);
const i64Arb = fc.oneof(
  { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 16n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
  { weight: 1, arbitrary: fc.constantFrom(-1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n, 2n ** 40n, 0x3fffffffn) },
);

/** A function's preview1-style name: `fd_read` for both `wasi_unstable.fd_read` and `wasi_ephemeral_fd.read`. */
export const canonical = (f: PropertyFn) => (f.module.startsWith('wasi_ephemeral_') ? `${f.module.slice('wasi_ephemeral_'.length)}_${f.name}` : f.name);
export const key = (f: PropertyFn) => `${f.module}.${f.name}`;

/** The buffers preview1's functions (and their renamings in other versions) write besides out-pointers. */
export function preview1Buffers(name: string, a: Args, before: DataView, eventSize: number): Region[] {
  const regions: Region[] = [];
  const add = (ptr: number, len: number) => regions.push([ptr, ptr + len]);
  const iovecTargets = (iovs: number, count: number) => {
    for (let i = 0; i < count && iovs + 8 * i + 8 <= PAGE; i++) add(before.getUint32(iovs + 8 * i, true), before.getUint32(iovs + 8 * i + 4, true));
  };
  switch (name) {
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
      add(a.out!, eventSize * a.nsubscriptions!);
      break;
  }
  return regions;
}

export interface SyscallPropertySpec {
  /** Names the run in messages, e.g. `preview1`. */
  label: string;
  functions: PropertyFn[];
  /** Sizes of the types out-pointers point to, by WITX name (abi.json's `types`). */
  types: Record<string, { size: number }>;
  validErrnos: ReadonlySet<number>;
  /** A fresh instance under `options` (a reactor whose memory is bound): its imports and memory. */
  instantiate(options: WasiOptions): { imports: Record<string, Record<string, unknown>>; memory: WebAssembly.Memory };
  /** The bytes a call may write besides its out-pointers, from its arguments and the memory before it. */
  buffers(f: PropertyFn, a: Args, before: DataView): Region[];
  /** Whether a throw is an outcome the spec allows (ProcExit from an exit, ...); else it is a failure. */
  allowedThrow(f: PropertyFn, args: (number | bigint)[], err: unknown): boolean;
  /** Functions that return nothing (or throw), by preview1-style name. */
  noResult?: ReadonlySet<string>;
  /** Functions that never return (they end the process or trap), by preview1-style name. */
  neverReturn?: ReadonlySet<string>;
}

/** A host directory for the runs: `sandbox` (preopened, remade before each run) beside `secret`. */
export function hostArea(root: string) {
  const sandbox = join(root, 'sandbox');
  writeFileSync(join(root, 'secret'), 'secret');
  const reset = () => {
    rmSync(sandbox, { recursive: true, force: true });
    mkdirSync(join(sandbox, 'd'), { recursive: true });
    writeFileSync(join(sandbox, 'f'), 'host file');
    writeFileSync(join(sandbox, 'd/g'), 'g');
    symlinkSync('f', join(sandbox, 'sym'));
    symlinkSync('loop', join(sandbox, 'loop'));
  };
  /** What escaped the sandbox: anything but `sandbox` and an intact `secret` in the root. */
  const escaped = (): string[] => {
    const names = readdirSync(root).sort();
    const out = names.filter((n) => n !== 'sandbox' && n !== 'secret');
    if (!names.includes('secret') || readFileSync(join(root, 'secret'), 'utf8') !== 'secret') out.push('secret (changed)');
    return out;
  };
  return { sandbox, reset, escaped };
}

const describeThrow = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * Runs the property `numRuns` times (seed from `WASI_KIT_PROPERTY_SEED`, else random) and throws,
 * naming seed and path, with the shrunk run's failures. Returns what was called, for coverage checks.
 */
export function checkSyscalls(spec: SyscallPropertySpec, host: ReturnType<typeof hostArea>, numRuns: number) {
  const { functions, types } = spec;
  const outSize = (out: unknown): number => {
    if (typeof out !== 'string' || !types[out]) throw new Error(`abi.json has no type ${JSON.stringify(out)}`);
    return types[out].size;
  };
  const callArb = fc.constantFrom(...functions).chain((f) =>
    fc.tuple(fc.constant(f), fc.tuple(...f.core.params.map((p) => (p.type === 'i64' ? i64Arb : i32Arb)))),
  );
  const runArb = fc.record({
    // The memory's random bytes are not shrunk: a short path matters more than zeroed bytes.
    memory: fc.noShrink(fc.uint8Array({ minLength: 4096, maxLength: 4096 })),
    iovLens: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 8, maxLength: 8 }),
    calls: fc.array(callArb, { minLength: 1, maxLength: 30, size: 'max' }),
  });
  const enc = new TextEncoder();
  const stats = { calls: 0, called: new Set<string>() };

  /** One run from a fresh instance and fresh host files; returns what went wrong. */
  function runOnce(run: { memory: Uint8Array; iovLens: number[]; calls: [PropertyFn, (number | bigint)[]][] }): string[] {
    host.reset();
    // A clock that leaps 2^64 ns per reading, so a deadline is always already past and no random
    // timeout makes the test sleep.
    let tick = 0n;
    const { imports, memory } = spec.instantiate({
      args: ARGS,
      env: ENV,
      stdin: () => null,
      stdout: () => {},
      stderr: () => {},
      clock: { now: () => (tick += 1n << 64n), resolution: () => 1n },
      preopens: {
        '/m': new MemoryFileSystem({ '/f': 'memory file', '/d/g': 'g' }, { maxBytes: 1 << 20 }),
        '/h': host.sandbox,
      },
    });
    const u8 = new Uint8Array(memory.buffer);
    const view = new DataView(memory.buffer);
    u8.set(run.memory, 0);
    PATHS.forEach((p, i) => u8.set(enc.encode(p), STRINGS + 16 * i));
    run.iovLens.forEach((len, i) => {
      view.setUint32(IOVECS + 8 * i, 8192 + 512 * i, true);
      view.setUint32(IOVECS + 8 * i + 4, len, true);
    });
    const failures: string[] = [];
    for (const [f, args] of run.calls) {
      stats.calls++;
      stats.called.add(key(f));
      const before = u8.slice();
      const where = `${key(f)}(${args.map(String).join(', ')})`;
      try {
        const result = (imports[f.module]![f.name] as (...a: unknown[]) => unknown)(...args);
        if (spec.neverReturn?.has(canonical(f))) failures.push(`${where}: returned ${String(result)}, but it never returns`);
        else if (spec.noResult?.has(canonical(f))) {
          if (result !== undefined) failures.push(`${where}: returned ${String(result)}, but it has no result`);
        } else if (typeof result !== 'number' || !spec.validErrnos.has(result)) failures.push(`${where}: returned ${String(result)}, not an errno`);
      } catch (err) {
        if (!spec.allowedThrow(f, args, err)) failures.push(`${where}: threw ${describeThrow(err)}`);
      }
      const now = new Uint8Array(memory.buffer);
      if (!Buffer.from(before.buffer).equals(Buffer.from(now.buffer, 0, before.length))) {
        const a: Args = {};
        f.core.params.forEach((p, i) => (a[p.name] = p.type === 'i32' ? (args[i] as number) >>> 0 : 0));
        const allowed: Region[] = f.core.params.filter((p) => p.role === 'out').map((p) => [a[p.name]!, a[p.name]! + outSize(p.out)]);
        allowed.push(...spec.buffers(f, a, new DataView(before.buffer)));
        for (let i = 0; i < before.length; i++) {
          if (before[i] !== now[i] && !allowed.some(([s, e]) => i >= s && i < e)) {
            failures.push(`${where}: wrote byte ${i} outside [${allowed.map(([s, e]) => `${s}..${e}`).join(', ')}]`);
            break;
          }
        }
      }
    }
    const escaped = host.escaped();
    if (escaped.length > 0) failures.push(`the host directory outside the preopen changed: ${escaped.join(', ')}`);
    return failures;
  }

  const seed = process.env.WASI_KIT_PROPERTY_SEED !== undefined ? Number(process.env.WASI_KIT_PROPERTY_SEED) : Date.now() % 2 ** 31;
  const path = process.env.WASI_KIT_PROPERTY_PATH;
  const details = fc.check(
    fc.property(runArb, (run) => {
      const failures = runOnce(run);
      if (failures.length > 0) throw new Error(failures.slice(0, 10).join('\n'));
    }),
    { numRuns: path === undefined ? numRuns : 1, seed, path },
  );
  if (details.failed) {
    const calls = (details.counterexample?.[0].calls ?? []).map(([f, args]) => `  ${key(f)}(${args.map(String).join(', ')})`);
    throw new Error(
      `${spec.label} property failed (seed ${details.seed}, path ${details.counterexamplePath}, after ${details.numShrinks} shrinks); ` +
        `replay with WASI_KIT_PROPERTY_SEED=${details.seed} WASI_KIT_PROPERTY_PATH=${details.counterexamplePath}\n` +
        `${describeThrow(details.errorInstance)}\nthe shrunk run's calls:\n${calls.join('\n')}`,
    );
  }
  console.log(`property(${spec.label}): seed ${seed}, ${stats.calls} calls`);
  return stats;
}
