/**
 * The official wasi-testsuite's preview1 cases (`../shared/wasi-testsuite`, see its SOURCES.md), read
 * as its runner reads them, and run in this process under wasi-kit as each case's JSON says.
 */
import { chmodSync, cpSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemoryFileSystem, WASI, type PreopenTarget } from '../../src/index.js';
import { REPO_ROOT, tempDir } from '../helpers/run-program.js';

/** Where the suite lives: `WASI_TESTSUITE`, else `../shared/wasi-testsuite` beside the checkout. */
export const TESTSUITE_DIR = process.env.WASI_TESTSUITE ?? resolve(REPO_ROOT, '../shared/wasi-testsuite');

/** One case as its JSON describes it (the runner's legacy keys, the only ones preview1 cases use). */
export interface SuiteCase {
  suite: string;
  name: string;
  wasm: string;
  args: string[];
  env: Record<string, string>;
  root: string | undefined;
  exitCode: number;
  stdout: string | undefined;
  stderr: string | undefined;
}

/** Every case of every `wasm32-wasip1` suite (a folder with a manifest.json), as the runner finds them. */
export function suiteCases(): SuiteCase[] {
  const cases: SuiteCase[] = [];
  for (const lang of readdirSync(join(TESTSUITE_DIR, 'tests')).sort()) {
    const dir = join(TESTSUITE_DIR, 'tests', lang, 'testsuite', 'wasm32-wasip1');
    if (!existsSync(join(dir, 'manifest.json'))) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.wasm')) continue;
      const name = file.slice(0, -'.wasm'.length);
      const jsonPath = join(dir, `${name}.json`);
      const json = (existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : {}) as Record<string, unknown>;
      const known = new Set(['args', 'env', 'root', 'exit_code', 'stdout', 'stderr']);
      const unknown = Object.keys(json).filter((k) => !known.has(k));
      if (unknown.length > 0) throw new Error(`${jsonPath}: keys this suite does not run: ${unknown.join(', ')}`);
      cases.push({
        suite: lang,
        name,
        wasm: join(dir, file),
        args: (json.args as string[] | undefined) ?? [],
        env: (json.env as Record<string, string> | undefined) ?? {},
        root: typeof json.root === 'string' ? join(dir, json.root) : undefined,
        exitCode: (json.exit_code as number | undefined) ?? 0,
        stdout: json.stdout as string | undefined,
        stderr: json.stderr as string | undefined,
      });
    }
  }
  return cases;
}

export type SuiteFs = 'host' | 'memory';

/** Copies a tree and makes it writable for its owner (the shared checkout is read-only). */
export function copyWritable(from: string, to: string): void {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  const walk = (path: string) => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) return; // a dangling symlink
    chmodSync(path, st.mode | 0o200);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(to);
}

/** Runs one case under wasi-kit in this process; returns what failed (empty when the case passed). */
export function runCase(c: SuiteCase, fs: SuiteFs): string[] {
  const t = tempDir();
  try {
    const preopens: Record<string, PreopenTarget> = {};
    if (c.root !== undefined) {
      if (fs === 'host') {
        // The runner works in the fixture itself and removes `*.cleanup` afterwards; a copy per case
        // leaves the shared suite untouched and makes the cases independent.
        const copy = join(t.path, 'root');
        copyWritable(c.root, copy);
        preopens['/'] = copy;
      } else {
        preopens['/'] = MemoryFileSystem.fromHostDirectory(c.root);
      }
    }
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const wasi = new WASI({
      version: 'preview1',
      args: [c.wasm, ...c.args],
      env: c.env,
      preopens,
      stdin: '',
      stdout: (b) => out.push(b),
      stderr: (b) => err.push(b),
      returnOnExit: true,
    });
    const failures: string[] = [];
    let code: number;
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(c.wasm)), wasi.getImportObject() as WebAssembly.Imports);
      code = wasi.start(instance);
    } catch (e) {
      // A trap: the CLI (and wasmtime on Unix) exits with 134.
      code = e instanceof WebAssembly.RuntimeError ? 134 : -1;
      if (code === -1) failures.push(`threw: ${String(e)}`);
    }
    const stdout = Buffer.concat(out).toString('utf8');
    const stderr = Buffer.concat(err).toString('utf8');
    // The runner reads as many characters as it expects and compares those.
    if (c.stdout !== undefined && stdout.slice(0, c.stdout.length) !== c.stdout) failures.push(`stdout ${JSON.stringify(stdout)}, expected ${JSON.stringify(c.stdout)}`);
    if (c.stderr !== undefined && stderr.slice(0, c.stderr.length) !== c.stderr) failures.push(`stderr ${JSON.stringify(stderr)}, expected ${JSON.stringify(c.stderr)}`);
    if (code !== c.exitCode) failures.push(`exit code ${code}, expected ${c.exitCode}; stderr: ${stderr.slice(0, 2000)}`);
    return failures;
  } finally {
    t.cleanup();
  }
}

