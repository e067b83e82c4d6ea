import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/run-program.js';
import { cli } from '../cli/cli-helpers.js';
import { watBytes } from './helpers.js';
import { wasixModule } from './wasix-prelude.js';

// The CLI runs threaded programs through WASI.run: a child process must end with the guest's status
// and no worker keeping it alive (spawnSync would time out, status null).
describe('wasi-kit run, threaded', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());
  const program = async (name: string, body: string, data = '') => {
    const path = join(dir.path, name);
    writeFileSync(path, await watBytes(wasixModule(body, data)));
    return path;
  };

  it('proc_exit from a worker thread ends the process with its code while the main thread computes', async () => {
    const wasm = await program(
      'exit.wasm',
      `(func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (call $write_all (i32.const 1) (i32.const 600) (i32.const 4) (i32.const 240))
        (call $exit (i32.const 17)))
      (func (export "_start")
        (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (loop $spin (br $spin)))`,
      `(data (memory 0) (i32.const 600) "bye\\n")`,
    );
    const r = cli(['run', wasm]);
    expect(r.stdout.toString()).toBe('bye\n');
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(17);
  });

  it('a trap in a thread exits 134 with one line on stderr', async () => {
    const wasm = await program(
      'trap.wasm',
      `(func (export "wasi_thread_start") (param $tid i32) (param $arg i32) (unreachable))
      (func (export "_start")
        (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (drop (call $await (i32.const 100) (i32.const 208))))`,
    );
    const r = cli(['run', wasm]);
    expect(r.status).toBe(134);
    expect(r.stderr.toString()).toMatch(/^wasi-kit: trap: .*unreachable.*\n$/);
  });
});

describe('wasi-kit run, threaded, reading stdin', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it("a thread blocked reading the terminal's stdin does not stop the others' syscalls", async () => {
    const wasm = join(dir.path, 'stdin.wasm');
    writeFileSync(
      wasm,
      await watBytes(
        wasixModule(
          `(func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
            (local $i i32)
            (loop $l
              (call $write_all (i32.const 1) (i32.const 600) (i32.const 5) (i32.const 240))
              (drop (call $sleep (i64.const 20000000)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
            (call $post (i32.const 100) (i32.const 1) (i32.const 248)))
          (func (export "_start")
            (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
            (i32.store (i32.const 500) (i32.const 800))
            (i32.store (i32.const 504) (i32.const 64))
            (if (call $fd_read (i32.const 0) (i32.const 500) (i32.const 1) (i32.const 508)) (then unreachable))
            (call $write_all (i32.const 1) (i32.const 610) (i32.const 5) (i32.const 216))
            (call $write_all (i32.const 1) (i32.const 800) (i32.load (i32.const 508)) (i32.const 216))
            (drop (call $await (i32.const 100) (i32.const 208))))`,
          `(data (memory 0) (i32.const 600) "tick\\n") (data (memory 0) (i32.const 610) "got: ")`,
        ),
      ),
    );
    const { spawn } = await import('node:child_process');
    const { pathToFileURL } = await import('node:url');
    const tsx = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const child = spawn(process.execPath, ['--no-warnings', '--import', tsx, join(REPO_ROOT, 'src/cli.ts'), 'run', wasm], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    // Stdin is written only once three ticks have come through the kernel while main waits on it.
    child.stdout.on('data', (b: Buffer) => {
      const before = (out.match(/tick/g) ?? []).length;
      out += b.toString();
      if (before < 3 && (out.match(/tick/g) ?? []).length >= 3) child.stdin.end('hello\n');
    });
    const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(err).toBe('');
    expect(status).toBe(0);
    expect(out.indexOf('got: hello\n')).toBeGreaterThan(out.indexOf('tick\ntick\ntick\n'));
    expect((out.match(/tick\n/g) ?? []).length).toBe(10);
  }, 30_000);
});
