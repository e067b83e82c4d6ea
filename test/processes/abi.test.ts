// WAT edge cases of processes: the 2023 WASIX proc_join(pid_ptr, exit_code_ptr) chosen by the import's
// type, and the rewrite that gives a module defining its own memory an imported shared one instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { memoryImportOf, withImportedSharedMemory } from '../../src/threads/module-imports.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { watBytes } from '../threads/helpers.js';

const status = readFileSync(join(REPO_ROOT, 'test/programs/proc/status.wasm'));
const W = 'wasix_32v1';

describe('proc_join, 2023 form', () => {
  it('(pid_ptr, exit_code_ptr): *pid -1 waits for any child and gets its pid, the exit code is raw; then child at once', async () => {
    const spawnParams = Array(14).fill('i32').join(' ');
    const bytes = await watBytes(`(module
      (import "${W}" "proc_spawn2" (func $spawn (param ${spawnParams}) (result i32)))
      (import "${W}" "proc_join" (func $join (param i32 i32) (result i32)))
      (import "${W}" "proc_exit" (func $exit (param i32)))
      (import "env" "memory" (memory 1 1 shared))
      (data (i32.const 0) "status")
      (data (i32.const 16) "status\\0a9")
      (func (export "_start") (local $err1 i32) (local $err2 i32)
        (drop (call $spawn (i32.const 0) (i32.const 6) (i32.const 16) (i32.const 8) (i32.const 0) (i32.const 0)
          (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 200)))
        (i32.store (i32.const 300) (i32.const -1))
        (local.set $err1 (call $join (i32.const 300) (i32.const 304)))
        (i32.store (i32.const 400) (i32.const -1))
        (local.set $err2 (call $join (i32.const 400) (i32.const 404)))
        (call $exit (i32.add (i32.add (i32.mul (local.get $err1) (i32.const 10000)) (i32.mul (i32.load (i32.const 304)) (i32.const 100)))
          (i32.add (i32.mul (i32.eq (i32.load (i32.const 300)) (i32.load (i32.const 200))) (i32.const 10)) (i32.eq (local.get $err2) (i32.const 12)))))))`);
    const code = await new WASI({ version: 'wasix', commands: { status } }).run(bytes);
    // errno 0, exit code 9, *pid is the child's, and the second join answers child (12).
    expect(code).toBe(911);
  });
});

describe('a module that defines its own memory', () => {
  it('gets it imported and shared with the same limits; its data, export and code are unchanged', async () => {
    const own = await watBytes(`(module
      (memory (export "mem") 2 5)
      (data (i32.const 1000) "kept")
      (func (export "peek") (result i32) (i32.load (i32.const 1000))))`);
    expect(memoryImportOf(own)).toBeUndefined();
    const r = withImportedSharedMemory(own)!;
    expect(r.limits).toEqual({ module: 'env', name: 'memory', initial: 2, maximum: 5, shared: true });
    expect(memoryImportOf(r.bytes)).toEqual(r.limits);
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 5, shared: true });
    const { instance } = await WebAssembly.instantiate(r.bytes as Uint8Array<ArrayBuffer>, { env: { memory } });
    expect(instance.exports.mem).toBe(memory);
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect((instance.exports.peek as () => number)()).toBe(new DataView(new TextEncoder().encode('kept').buffer).getInt32(0, true));
  });

  it('without a maximum gets 4 GiB as the maximum a shared memory needs; a module importing its memory is left alone', async () => {
    const r = withImportedSharedMemory(await watBytes('(module (memory 1))'))!;
    expect(r.limits).toMatchObject({ initial: 1, maximum: 65536, shared: true });
    expect(withImportedSharedMemory(await watBytes('(module (import "env" "memory" (memory 1 2 shared)))'))).toBeUndefined();
    expect(withImportedSharedMemory(await watBytes('(module)'))).toBeUndefined();
  });

  it('keeps its other imports, numbered as before', async () => {
    const own = await watBytes(`(module
      (import "m" "f" (func $f (result i32)))
      (memory 1 1)
      (func (export "g") (result i32) (call $f)))`);
    const r = withImportedSharedMemory(own)!;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const { instance } = await WebAssembly.instantiate(r.bytes as Uint8Array<ArrayBuffer>, { env: { memory }, m: { f: () => 42 } });
    expect((instance.exports.g as () => number)()).toBe(42);
  });
});
