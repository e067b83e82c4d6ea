import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { programPath } from '../helpers/run-program.js';
import { cli, scratch, writeWat } from './cli-helpers.js';

const hello = programPath('hello');

/** The CLI fails with exactly one line on stderr, nothing on stdout. */
function fails(args: string[], message: string, status = 1, cwd?: string) {
  const r = cli(args, cwd === undefined ? {} : { cwd });
  expect(r.stderr.toString()).toBe(`wasi-kit: ${message}\n`);
  expect(r.stdout.length).toBe(0);
  expect(r.status).toBe(status);
}

describe('wasi-kit run: bad input', () => {
  it('says when the file is missing, unreadable or not a module', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'text.wasm'), 'not wasm at all');
    writeFileSync(join(dir, 'broken.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff]));
    writeFileSync(join(dir, 'component.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
    fails(['run', 'nope.wasm'], 'cannot read nope.wasm: no such file', 1, dir);
    fails(['run', '.'], 'cannot read .: it is a directory', 1, dir);
    fails(['run', 'text.wasm'], 'text.wasm is not a WebAssembly module', 1, dir);
    fails(['run', 'component.wasm'], 'component.wasm is a WebAssembly component; wasi-kit runs core modules (WASI preview1 and older)', 1, dir);
    const r = cli(['run', 'broken.wasm'], { cwd: dir });
    expect(r.stderr.toString()).toMatch(/^wasi-kit: broken\.wasm is not a valid WebAssembly module: .+\n$/);
    expect(r.status).toBe(1);
  });

  it('lists missing imports by name', async () => {
    const dir = scratch();
    await writeWat(
      join(dir, 'imports.wasm'),
      `(module (import "env" "foo" (func)) (import "wasi_snapshot_preview1" "nope" (func))
        (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1) (func (export "_start")))`,
    );
    fails(['run', 'imports.wasm'], 'imports.wasm needs imports that wasi-kit does not provide (2): env.foo, wasi_snapshot_preview1.nope', 1, dir);
  });

  it('refuses a module that is not a command', async () => {
    const dir = scratch();
    await writeWat(join(dir, 'reactor.wasm'), `(module (memory (export "memory") 1) (func (export "_initialize")))`);
    fails(['run', 'reactor.wasm'], 'reactor.wasm is not a WASI command: it exports no _start function', 1, dir);
  });

  it('says when a --dir is missing or not a directory', () => {
    fails(['run', '--dir', '/no/such/dir', hello], '--dir /no/such/dir: no such directory');
    fails(['run', '--dir', hello, hello], `--dir ${hello}: not a directory`);
  });

  it('says when the trace file cannot be written', () => {
    fails(['run', '--trace=/no/such/dir/trace.txt', hello], "cannot write the trace to /no/such/dir/trace.txt: ENOENT: no such file or directory, open '/no/such/dir/trace.txt'");
  });

  it('gives usage errors exit status 2 and points to --help', () => {
    fails([], 'no command given (see wasi-kit --help)', 2);
    fails(['run', '--bogus', hello], "unknown option '--bogus' (see wasi-kit --help)", 2);
  });

  it('prints help and its version on stdout', () => {
    const help = cli(['--help']);
    expect(help.stdout.toString()).toContain('Usage: wasi-kit <command>');
    expect(help.status).toBe(0);
    const runHelp = cli(['run', '--help']);
    expect(runHelp.stdout.toString()).toContain('--dir HOST[::GUEST]');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const v = cli(['--version']);
    expect(v.stdout.toString()).toBe(`wasi-kit ${pkg.version}\n`);
    expect(v.stderr.length).toBe(0);
  });
});
