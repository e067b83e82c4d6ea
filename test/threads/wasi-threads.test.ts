import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { watBytes } from './helpers.js';

const SPAWN = `(import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))`;
const EXIT = `(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))`;

describe('wasi-threads', () => {
  it('4 threads add to one atomic counter and the sum is exact', async () => {
    const bytes = await watBytes(`(module
      ${SPAWN} ${EXIT}
      (import "env" "memory" (memory 1 1 shared))
      ;; 0: the counter, 4: threads done
      (func (export "wasi_thread_start") (param $tid i32) (param $n i32)
        (local $i i32)
        (loop $l
          (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
        (drop (memory.atomic.notify (i32.const 4) (i32.const 1))))
      (func (export "_start")
        (local $i i32) (local $done i32)
        (loop $l
          (if (i32.le_s (call $spawn (i32.const 100000)) (i32.const 0)) (then unreachable))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
        (loop $w
          (local.set $done (i32.atomic.load (i32.const 4)))
          (if (i32.lt_u (local.get $done) (i32.const 4))
            (then (drop (memory.atomic.wait32 (i32.const 4) (local.get $done) (i64.const -1))) (br $w))))
        (call $exit (select (i32.const 42) (i32.const 1) (i32.eq (i32.atomic.load (i32.const 0)) (i32.const 400000)))))
    )`);
    const wasi = new WASI({ version: 'preview1' });
    expect(await wasi.run(bytes)).toBe(42);
  });
});
