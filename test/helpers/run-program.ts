/**
 * Runs the C test programs of `test/programs/` under wasi-kit (in this process, output captured by
 * callbacks) or in a child `node` process under either `node:wasi` or wasi-kit, so both hosts see the
 * same real file descriptors (pipes) for stdio.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WASI, type PreopenTarget } from '../../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../..');
export const PROGRAMS_DIR = join(REPO_ROOT, 'test/programs');

export const programPath = (name: string) => join(PROGRAMS_DIR, `${name}.wasm`);

/** The program names (without `.wasm`) present in test/programs. */
export function programNames(): string[] {
  return readdirSync(PROGRAMS_DIR)
    .filter((f) => f.endsWith('.wasm'))
    .map((f) => f.slice(0, -'.wasm'.length))
    .sort();
}

const compiled = new Map<string, WebAssembly.Module>();
export function compileProgram(name: string): WebAssembly.Module {
  let m = compiled.get(name);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(programPath(name)));
    compiled.set(name, m);
  }
  return m;
}

export interface RunOptions {
  /** argv after argv[0]; argv[0] is the program name. */
  args?: string[];
  env?: Record<string, string>;
  stdin?: string | Uint8Array;
  preopens?: Record<string, PreopenTarget>;
}

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  /** The exit code `start()` returned; undefined when it threw. */
  exitCode: number | undefined;
  /** What `start()` threw, if anything. */
  error: unknown;
}

/** Runs `name` under wasi-kit in this process, stdio through callbacks. */
export function runWasiKit(name: string, opts: RunOptions = {}): RunResult {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const wasi = new WASI({
    version: 'preview1',
    args: [name, ...(opts.args ?? [])],
    env: opts.env ?? {},
    preopens: opts.preopens ?? {},
    stdin: opts.stdin ?? '',
    stdout: (b) => out.push(b),
    stderr: (b) => err.push(b),
    returnOnExit: true,
  });
  const instance = new WebAssembly.Instance(compileProgram(name), wasi.getImportObject() as WebAssembly.Imports);
  let exitCode: number | undefined;
  let error: unknown;
  try {
    exitCode = wasi.start(instance);
  } catch (e) {
    error = e;
  }
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode, error };
}

export type ChildHost = 'node:wasi' | 'wasi-kit';

export interface ChildResult {
  stdout: Buffer;
  stderr: Buffer;
  /** The child process's exit status (8 bits, as the OS keeps it). */
  status: number | null;
  /** What `start()` returned in the child, untruncated; undefined when it threw. */
  exitCode: number | undefined;
  /** `name: message` of what `start()` threw in the child, if anything. */
  error: { name: string; message: string } | undefined;
}

// One script for both hosts: only the module WASI comes from differs. The result goes to a file, so
// stdout and stderr carry nothing but the guest's bytes.
const CHILD_SCRIPT = `
import { readFileSync, writeFileSync } from 'node:fs';
const o = JSON.parse(process.env.WASI_RUN_OPTIONS);
const { WASI } = await import(o.module);
const wasi = new WASI({ version: 'preview1', args: o.args, env: o.env, preopens: o.preopens, returnOnExit: true });
const instance = await WebAssembly.instantiate(new WebAssembly.Module(readFileSync(o.wasm)), wasi.getImportObject());
let result;
try {
  result = { exitCode: wasi.start(instance) };
} catch (e) {
  result = { error: { name: e?.constructor?.name ?? typeof e, message: String(e?.message ?? e) } };
}
writeFileSync(o.resultFile, JSON.stringify(result));
process.exitCode = result.exitCode ?? 70;
`;

/** Runs `name` in a child `node` under `host`, with real pipes for stdin/stdout/stderr. */
export function runInChild(host: ChildHost, name: string, opts: Omit<RunOptions, 'preopens'> & { preopens?: Record<string, string> } = {}): ChildResult {
  const scratch = mkdtempSync(join(tmpdir(), 'wasi-kit-child-'));
  const resultFile = join(scratch, 'result.json');
  try {
    const module = host === 'node:wasi' ? 'node:wasi' : pathToFileURL(join(REPO_ROOT, 'src/index.ts')).href;
    const options = {
      module,
      wasm: programPath(name),
      args: [name, ...(opts.args ?? [])],
      env: opts.env ?? {},
      preopens: opts.preopens ?? {},
      resultFile,
    };
    const nodeArgs = [
      '--no-warnings',
      ...(host === 'wasi-kit' ? ['--import', 'tsx'] : []),
      '--input-type=module',
      '-e',
      CHILD_SCRIPT,
    ];
    const r = spawnSync(process.execPath, nodeArgs, {
      cwd: REPO_ROOT,
      input: opts.stdin ?? '',
      env: { PATH: process.env.PATH ?? '', WASI_RUN_OPTIONS: JSON.stringify(options) },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60_000,
    });
    if (r.error) throw r.error;
    let parsed: { exitCode?: number; error?: { name: string; message: string } } = {};
    try {
      parsed = JSON.parse(readFileSync(resultFile, 'utf8'));
    } catch {
      throw new Error(`child (${host}, ${name}) wrote no result; status ${r.status}, stderr:\n${r.stderr.toString()}`);
    }
    return { stdout: r.stdout, stderr: r.stderr, status: r.status, exitCode: parsed.exitCode, error: parsed.error };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A fresh empty host directory, removed by the returned `cleanup`. */
export function tempDir(prefix = 'wasi-kit-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
