import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI, WasiOptionError, WasiStateError } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink, watBytes } from './helpers.js';
import { wasixModule } from './wasix-prelude.js';

const program = (name: string) => readFileSync(join(REPO_ROOT, 'test/programs', name));

describe('WASI.run', () => {
  it('runs a program without threads on the calling thread, as start() does', async () => {
    const out = textSink();
    const code = await new WASI({ args: ['hello'], stdout: out.write }).run(program('hello.wasm'));
    expect(code).toBe(0);
    expect(out.text()).toBe('hello, world\n');
  });

  it('takes a compiled module, and makes the memory a module imports from its declared limits', async () => {
    const bytes = await watBytes(`(module
      (import "env" "memory" (memory 3 5))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (func (export "_start") (call $exit (i32.add (memory.size) (memory.grow (i32.const 2))))))`);
    // memory.size 3, then grow by 2 returns the old size 3: 6; past the maximum it would be -1.
    expect(await new WASI().run(bytes)).toBe(6);
    const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    await expect(new WASI().run(module)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', option: 'options.memory' });
    expect(await new WASI().run(module, { memory: new WebAssembly.Memory({ initial: 3, maximum: 5 }) })).toBe(6);
  });

  it('rejects bad arguments with typed errors naming them', async () => {
    const wasi = new WASI();
    await expect(wasi.run('nope' as never)).rejects.toBeInstanceOf(WasiOptionError);
    await expect(wasi.run('nope' as never)).rejects.toMatchObject({ option: 'program' });
    await expect(wasi.run(new Uint8Array(8), { memory: 5 as never })).rejects.toMatchObject({ option: 'options.memory' });
    expect(() => new WASI({ threads: { poolSize: 0 } })).toThrow(expect.objectContaining({ option: 'options.threads.poolSize' }));
    expect(() => new WASI({ threads: { maxThreads: 1.5 } })).toThrow(expect.objectContaining({ option: 'options.threads.maxThreads' }));
    expect(() => new WASI({ threads: 4 as never })).toThrow(expect.objectContaining({ option: 'options.threads' }));
  });

  it('a second run of one WASI is refused', async () => {
    const wasi = new WASI({ stdout: () => {} });
    await wasi.run(program('hello.wasm'));
    await expect(wasi.run(program('hello.wasm'))).rejects.toBeInstanceOf(WasiStateError);
  });

  it('a threaded program must import its memory', async () => {
    const bytes = await watBytes(`(module
      (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
      (memory (export "memory") 1 1 shared)
      (func (export "_start")))`);
    await expect(new WASI().run(bytes)).rejects.toMatchObject({ option: 'program' });
  });
});

describe('thread limits', () => {
  it('spawning past maxThreads fails with again (WASIX) and a negative result (wasi-threads)', async () => {
    // Threads block on a futex that is never woken, so each stays alive; with maxThreads 3 the main
    // thread and two more exist, and the third spawn fails.
    const code = await new WASI({ version: 'auto', threads: { poolSize: 1, maxThreads: 3 } }).run(
      await watBytes(
        wasixModule(
          `(func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
            (drop (call $await (i32.const 120) (i32.add (i32.const 400) (i32.mul (local.get $tid) (i32.const 8))))))
          (func (export "_start")
            (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
            (drop (call $spawn_ok (i32.const 1024) (i32.const 204)))
            (call $exit (i32.add (i32.mul (call $spawn (i32.const 1024) (i32.const 208)) (i32.const 10))
              (i32.lt_s (call $wasi_spawn (i32.const 0)) (i32.const 0)))))`,
          '',
          `(import "wasi" "thread-spawn" (func $wasi_spawn (param i32) (result i32)))`,
        ),
      ),
    );
    expect(code).toBe(6 * 10 + 1); // again = 6
  });

  it('thread_parallelism is the host\'s', async () => {
    const code = await new WASI({ version: 'wasix' }).run(
      await watBytes(
        wasixModule(
          `(func (export "wasi_thread_start") (param i32 i32))
          (func (export "_start")
            (if (call $parallelism (i32.const 200)) (then unreachable))
            (call $exit (i32.load (i32.const 200))))`,
          '',
          `(import "wasix_32v1" "thread_parallelism" (func $parallelism (param i32) (result i32)))`,
        ),
      ),
    );
    const { availableParallelism } = await import('node:os');
    expect(code).toBe(availableParallelism());
  });

  it('start() gives a program no threads: thread_spawn_v2 is notsup', async () => {
    const bytes = await watBytes(`(module
      (import "wasix_32v1" "thread_spawn_v2" (func $spawn (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "go") (result i32) (call $spawn (i32.const 0) (i32.const 8))))`);
    const wasi = new WASI({ version: 'wasix' });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), wasi.getImportObject() as WebAssembly.Imports);
    wasi.initialize(instance);
    expect((instance.exports.go as () => number)()).toBe(58); // notsup
  });
});
