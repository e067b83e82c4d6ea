import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/run-program.js';
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
