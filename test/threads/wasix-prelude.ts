// A WAT prelude for WASIX thread tests: the imports, and helpers that trap on any errno so a test
// sees a failure as a trap. Memory: 100.. futex words; 200.. per-thread scratch for out-values
// (each helper takes its own address); 320 an `option<timestamp>` of `none` (all zero).
export const WASIX_THREAD_IMPORTS = `
  (import "wasix_32v1" "thread_spawn_v2" (func $spawn (param i32 i32) (result i32)))
  (import "wasix_32v1" "thread_join" (func $join (param i32) (result i32)))
  (import "wasix_32v1" "thread_id" (func $thread_id (param i32) (result i32)))
  (import "wasix_32v1" "thread_sleep" (func $sleep (param i64) (result i32)))
  (import "wasix_32v1" "thread_exit" (func $thread_exit (param i32)))
  (import "wasix_32v1" "futex_wait" (func $fwait (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "futex_wake" (func $fwake (param i32 i32) (result i32)))
  (import "wasix_32v1" "futex_wake_all" (func $fwake_all (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_exit" (func $exit (param i32)))
  (import "wasix_32v1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "fd_pipe" (func $pipe (param i32 i32) (result i32)))
  (import "wasix_32v1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasix_32v1" "callback_signal" (func $callback (param i32 i32)))
  (import "wasix_32v1" "proc_raise" (func $raise (param i32) (result i32)))
  (import "wasix_32v1" "thread_signal" (func $thread_signal (param i32 i32) (result i32)))
  (import "env" "memory" (memory 2 2 shared))`;

export const WASIX_THREAD_HELPERS = `
  ;; Starts a thread with start pointer $arg; returns its tid.
  (func $spawn_ok (param $arg i32) (param $scratch i32) (result i32)
    (if (call $spawn (local.get $arg) (local.get $scratch)) (then unreachable))
    (i32.load (local.get $scratch)))
  ;; Waits (futex) until the word at $addr is not 0; returns it.
  (func $await (param $addr i32) (param $scratch i32) (result i32)
    (local $v i32)
    (loop $l
      (local.set $v (i32.atomic.load (local.get $addr)))
      (if (i32.eqz (local.get $v)) (then
        (if (call $fwait (local.get $addr) (i32.const 0) (i32.const 320) (local.get $scratch)) (then unreachable))
        (br $l))))
    (local.get $v))
  ;; Stores $v at $addr and wakes one waiter.
  (func $post (param $addr i32) (param $v i32) (param $scratch i32)
    (i32.atomic.store (local.get $addr) (local.get $v))
    (if (call $fwake (local.get $addr) (local.get $scratch)) (then unreachable)))
  ;; Writes [$ptr, $ptr + $len) to $fd in one fd_write; $scratch holds the iovec and the count.
  (func $write_all (param $fd i32) (param $ptr i32) (param $len i32) (param $scratch i32)
    (i32.store (local.get $scratch) (local.get $ptr))
    (i32.store offset=4 (local.get $scratch) (local.get $len))
    (if (call $fd_write (local.get $fd) (local.get $scratch) (i32.const 1) (i32.add (local.get $scratch) (i32.const 8))) (then unreachable))
    (if (i32.ne (i32.load offset=8 (local.get $scratch)) (local.get $len)) (then unreachable)))`;

/** A WASIX threaded module: the prelude (and `imports`), `data`, then `body` (which exports `_start` and `wasi_thread_start`). */
export const wasixModule = (body: string, data = '', imports = '') => `(module ${WASIX_THREAD_IMPORTS} ${imports} ${WASIX_THREAD_HELPERS} ${data} ${body})`;
