// The C test programs (compiled for preview1) run under the other versions by renaming their
// imports in the binary: `wasi_snapshot_preview1.f` -> `wasi_unstable.f` for snapshot0, and
// -> `wasi_ephemeral_<area>.<rest>` (fd_write -> wasi_ephemeral_fd.write) for the ephemeral phase.
// That is only sound for a program whose *used* functions have the same signature, layout and
// numbering in the target version, so each program is first run under preview1 with every import
// recorded; it is run under a version only if every function it called is in that version's
// identical set below (worked out from `diff` of the WITX files), and the run under the version must
// call the same functions and give the same stdout, stderr and exit code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WASI, type WasiOptions } from '../../src/index.js';
import { programPath } from '../helpers/run-program.js';
import { wat } from '../runtime/harness.js';
import { listImports, rewriteImports } from './rewrite-imports.js';

const P1 = 'wasi_snapshot_preview1';

// snapshot0 differs from preview1 in these functions: fd_seek (whence order), fd_filestat_get and
// path_filestat_get (linkcount u32: another filestat), poll_oneoff (subscription_clock.identifier),
// sock_accept (absent). The rights of fd_fdstat_get/fd_fdstat_set_rights/path_open differ only by
// the absent sock_accept bit 29, so their layouts and every snapshot0 right's bit are the same.
const S0_DIFFERS = new Set(['fd_seek', 'fd_filestat_get', 'path_filestat_get', 'poll_oneoff', 'sock_accept']);
const s0Same = (name: string) => !S0_DIFFERS.has(name);

// Ephemeral functions with preview1's signature, layout and numbering (whence is set,cur,end in both;
// clockid realtime/monotonic keep 0/1; exitcode is u8 there, the same for codes 0..255).
const EPH_SAME = new Set([
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get', 'fd_advise',
  'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_set_flags', 'fd_filestat_set_size', 'fd_filestat_set_times',
  'fd_pread', 'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_renumber', 'fd_seek', 'fd_sync',
  'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_set_times', 'path_link', 'path_readlink',
  'path_remove_directory', 'path_rename', 'path_symlink', 'path_unlink_file', 'proc_exit', 'random_get', 'sched_yield',
  'sock_recv', 'sock_send', 'sock_shutdown',
]);

type Target = 'preview1' | 'snapshot0' | 'ephemeral';

/** preview1 import name -> the target's [module, name]. */
function renameFor(target: Target): (module: string, name: string) => readonly [string, string] | undefined {
  return (module, name) => {
    if (module !== P1 || target === 'preview1') return undefined;
    if (target === 'snapshot0') return ['wasi_unstable', name];
    const i = name.indexOf('_');
    return [`wasi_ephemeral_${name.slice(0, i)}`, name.slice(i + 1)];
  };
}

interface Spec {
  args?: string[];
  env?: Record<string, string>;
  stdin?: Uint8Array;
  stdout?: string | Uint8Array;
  stderr?: string;
  exitCode?: number;
  trap?: boolean;
}

const echoInput = new Uint8Array(2 * 4096 + 77).map((_, i) => (i * 131 + 7) & 0xff);
const SPECS: Record<string, Spec> = {
  hello: { stdout: 'hello, world\n', exitCode: 0 },
  'args-env': {
    args: ['a', 'b c', 'héllo ✓', ''],
    env: { FOO: 'bar', EMPTY: '', EQ: 'x=y' },
    stdout: 'argc=5\nargv[0]=args-env\nargv[1]=a\nargv[2]=b c\nargv[3]=héllo ✓\nargv[4]=\nenv: FOO=bar\nenv: EMPTY=\nenv: EQ=x=y\n',
    exitCode: 0,
  },
  'exit-code': { args: ['42'], stdout: '', exitCode: 42 },
  'stdin-echo': { stdin: echoInput, stdout: echoInput, stderr: `bytes=${echoInput.length}\n`, exitCode: 0 },
  random: { stdout: 'random ok\n', stderr: '', exitCode: 0 },
  clock: { stdout: 'clock ok\n', stderr: '', exitCode: 0 },
  'stdout-no-newline': { stdout: 'no newline at end', stderr: 'err', exitCode: 0 },
  trap: { stdout: 'before trap\n', trap: true },
};

interface Run {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | undefined;
  error: unknown;
  /** Called functions by their preview1 name. */
  called: Set<string>;
}

function run(name: string, target: Target): Run {
  const spec = SPECS[name]!;
  const bytes = rewriteImports(readFileSync(programPath(name)), renameFor(target));
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const options: WasiOptions = {
    version: target,
    args: [name, ...(spec.args ?? [])],
    env: spec.env ?? {},
    stdin: spec.stdin ?? '',
    stdout: (b) => out.push(b),
    stderr: (b) => err.push(b),
  };
  const wasi = new WASI(options);
  const called = new Set<string>();
  // Every import recorded under its preview1 name.
  const back = new Map<string, string>();
  for (const { module, name: field } of listImports(readFileSync(programPath(name)))) {
    const [m, n] = renameFor(target)(module, field) ?? [module, field];
    back.set(`${m}.${n}`, field);
  }
  const imports: Record<string, Record<string, unknown>> = {};
  for (const [m, fns] of Object.entries(wasi.getImportObject())) {
    imports[m] = Object.fromEntries(
      Object.entries(fns).map(([n, f]) => [
        n,
        (...a: unknown[]) => {
          called.add(back.get(`${m}.${n}`) ?? `${m}.${n}`);
          return (f as (...x: unknown[]) => unknown)(...a);
        },
      ]),
    );
  }
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports as WebAssembly.Imports);
  let exitCode: number | undefined;
  let error: unknown;
  try {
    exitCode = wasi.start(instance);
  } catch (e) {
    error = e;
  }
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode, error, called };
}

const preview1Runs = new Map<string, Run>();
const preview1Run = (name: string) => {
  if (!preview1Runs.has(name)) preview1Runs.set(name, run(name, 'preview1'));
  return preview1Runs.get(name)!;
};

describe('the import rewriter', () => {
  it('renames imports of every kind, keeping descriptors, and the module still compiles and runs', async () => {
    const m = await wat(`(module
      (import "a" "f" (func $f (param i32) (result i32)))
      (import "a" "mem" (memory 1 2))
      (import "a" "tab" (table 1 funcref))
      (import "a" "g" (global i64))
      (import "longer-module-name-here" "function-with-a-long-name" (func $h))
      (func (export "run") (param i32) (result i32) (call $h) (call $f (local.get 0))))`);
    const original = await watBytes(`(module
      (import "a" "f" (func $f (param i32) (result i32)))
      (import "a" "mem" (memory 1 2))
      (import "a" "tab" (table 1 funcref))
      (import "a" "g" (global i64))
      (import "longer-module-name-here" "function-with-a-long-name" (func $h))
      (func (export "run") (param i32) (result i32) (call $h) (call $f (local.get 0))))`);
    const renamed = rewriteImports(original, (mod, name) => (mod === 'a' ? ['b', `${name}2`] : ['x', 'y']));
    const mod = new WebAssembly.Module(renamed);
    expect(WebAssembly.Module.imports(mod)).toEqual([
      { module: 'b', name: 'f2', kind: 'function' },
      { module: 'b', name: 'mem2', kind: 'memory' },
      { module: 'b', name: 'tab2', kind: 'table' },
      { module: 'b', name: 'g2', kind: 'global' },
      { module: 'x', name: 'y', kind: 'function' },
    ]);
    expect(WebAssembly.Module.exports(mod)).toEqual(WebAssembly.Module.exports(m));
    let hCalled = 0;
    const inst = new WebAssembly.Instance(mod, {
      b: {
        f2: (x: number) => x * 2,
        mem2: new WebAssembly.Memory({ initial: 1, maximum: 2 }),
        tab2: new WebAssembly.Table({ initial: 1, element: 'anyfunc' }),
        g2: new WebAssembly.Global({ value: 'i64' }, 0n),
      },
      x: { y: () => void hCalled++ },
    });
    expect((inst.exports.run as (x: number) => number)(21)).toBe(42);
    expect(hCalled).toBe(1);
    // Unchanged names give back the same bytes.
    expect(Buffer.from(rewriteImports(original, () => undefined)).equals(Buffer.from(original))).toBe(true);
  });

  it('rewrites a real program: only the module names change, and names of other lengths', () => {
    const original = readFileSync(programPath('hello'));
    const before = WebAssembly.Module.imports(new WebAssembly.Module(original));
    const after = WebAssembly.Module.imports(new WebAssembly.Module(rewriteImports(original, renameFor('snapshot0'))));
    expect(after).toEqual(before.map((i) => ({ ...i, module: 'wasi_unstable' })));
    const eph = WebAssembly.Module.imports(new WebAssembly.Module(rewriteImports(original, renameFor('ephemeral'))));
    expect(eph.map((i) => `${i.module}.${i.name}`)).toContain('wasi_ephemeral_fd.write');
    expect(eph.map((i) => `${i.module}.${i.name}`)).toContain('wasi_ephemeral_proc.exit');
  });
});

async function watBytes(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await (await import('wabt')).default();
  const parsed = wabt.parseWat('t.wat', text);
  try {
    return Uint8Array.from(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

function checkSpec(r: Run, spec: Spec) {
  if (spec.stdout !== undefined) expect(Buffer.compare(r.stdout, Buffer.from(spec.stdout))).toBe(0);
  if (spec.stderr !== undefined) expect(r.stderr.toString()).toBe(spec.stderr);
  if (spec.trap) expect(r.error).toBeInstanceOf(WebAssembly.RuntimeError);
  else {
    expect(r.error).toBeUndefined();
    expect(r.exitCode).toBe(spec.exitCode);
  }
}

// Which programs each version can run, as worked out from the functions they call under preview1.
const EXPECTED_ELIGIBLE: Record<'snapshot0' | 'ephemeral', string[]> = {
  snapshot0: ['args-env', 'clock', 'exit-code', 'hello', 'random', 'stdin-echo', 'stdout-no-newline', 'trap'],
  ephemeral: ['exit-code', 'stdin-echo', 'stdout-no-newline'],
};

describe.each(Object.keys(SPECS))('%s', (name) => {
  it('under preview1 (the reference run)', () => {
    checkSpec(preview1Run(name), SPECS[name]!);
  });

  for (const target of ['snapshot0', 'ephemeral'] as const) {
    const same = target === 'snapshot0' ? s0Same : (n: string) => EPH_SAME.has(n);
    it(`under ${target}, if every function it calls is the same there: same output`, () => {
      const p1 = preview1Run(name);
      const eligible = [...p1.called].every(same);
      expect(eligible, `called under preview1: ${[...p1.called].sort().join(' ')}`).toBe(EXPECTED_ELIGIBLE[target].includes(name));
      if (!eligible) return;
      const r = run(name, target);
      expect([...r.called].sort()).toEqual([...p1.called].sort());
      expect(Buffer.compare(r.stdout, p1.stdout)).toBe(0);
      expect(r.stderr.toString()).toBe(p1.stderr.toString());
      expect(r.exitCode).toBe(p1.exitCode);
      expect((r.error as Error | undefined)?.constructor).toBe((p1.error as Error | undefined)?.constructor);
      checkSpec(r, SPECS[name]!);
    });
  }
});
