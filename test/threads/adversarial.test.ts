import { afterEach, describe, expect, it } from 'vitest';
import { Errno } from '../../generated/wasix/types.js';
import { MemoryFileSystem, WASI } from '../../src/index.js';
import type { TraceEvent } from '../../src/trace.js';
import { textSink, watBytes } from './helpers.js';
import { trackedPlatform, withPlatform, type TrackedPlatform } from './tracked-platform.js';
import { wasixModule } from './wasix-prelude.js';

// Threaded programs pushed where the dispatcher, the channel and the worker pool could go wrong.
// Every program runs on a tracked platform, so each test also checks that run() left no worker
// running; the memory is the test's own, so results the guest stores can be read afterwards.

const EXTRA_IMPORTS = `
  (import "wasix_32v1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasix_32v1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasix_32v1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi" "thread-spawn" (func $wasi_spawn (param i32) (result i32)))`;

const PAGE = 0x10000;

let platform: TrackedPlatform | undefined;
afterEach(() => {
  // Whatever the test asserted, no worker may outlive its run().
  expect(platform?.alive() ?? []).toEqual([]);
  platform = undefined;
});

interface RunSetup {
  data?: string;
  options?: ConstructorParameters<typeof WASI>[0];
  pages?: { initial: number; maximum: number };
  failAt?: number;
}

/** Runs a WASIX threaded module on a tracked platform over a memory the test keeps. */
async function runWasix(body: string, setup: RunSetup = {}) {
  const { initial, maximum } = setup.pages ?? { initial: 2, maximum: 2 };
  const text = wasixModule(body, setup.data ?? '', EXTRA_IMPORTS).replace('(memory 2 2 shared)', `(memory ${initial} ${maximum} shared)`);
  const memory = new WebAssembly.Memory({ initial, maximum, shared: true });
  const p = (platform = trackedPlatform(setup.failAt));
  const code = await withPlatform(p, async () => new WASI({ version: 'wasix', ...setup.options }).run(await watBytes(text), { memory }));
  return { code, memory, view: () => new DataView(memory.buffer), platform: p };
}

const u32 = (m: WebAssembly.Memory, at: number) => new DataView(m.buffer).getUint32(at, true);
const text = (m: WebAssembly.Memory, at: number, len: number) => Buffer.from(new Uint8Array(m.buffer, at, len)).toString('latin1');

describe('bad pointers from a worker thread', () => {
  it('give fault (inval when misaligned) to the guest, start no thread, and the thread carries on', async () => {
    const out = textSink();
    const { code, memory, platform: p } = await runWasix(
      `(func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        ;; futex_wait: word out of bounds, word misaligned, timeout record past the end
        (i32.store (i32.const 0x600) (call $fwait (i32.const 0x7ffffff0) (i32.const 0) (i32.const 320) (i32.const 240)))
        (i32.store (i32.const 0x604) (call $fwait (i32.const 102) (i32.const 0) (i32.const 320) (i32.const 240)))
        (i32.store (i32.const 0x608) (call $fwait (i32.const 100) (i32.const 0) (i32.const 0x1fff8) (i32.const 240)))
        ;; futex_wake / wake_all past the end
        (i32.store (i32.const 0x60c) (call $fwake (i32.const 0x20000) (i32.const 240)))
        (i32.store (i32.const 0x610) (call $fwake_all (i32.const 0xfffffffc) (i32.const 240)))
        ;; thread_spawn_v2 with its tid out-pointer past the end, then misaligned
        (i32.store (i32.const 0x614) (call $spawn (i32.const 1024) (i32.const 0x20000)))
        (i32.store (i32.const 0x618) (call $spawn (i32.const 1024) (i32.const 0x202)))
        ;; fd_write: iovec array past the end; an iovec's buffer past the end; nwritten past the end
        (i32.store (i32.const 0x61c) (call $fd_write (i32.const 1) (i32.const 0x1fff8) (i32.const 2) (i32.const 240)))
        (i32.store (i32.const 0x640) (i32.const 0x1fff0))
        (i32.store (i32.const 0x644) (i32.const 0x100))
        (i32.store (i32.const 0x620) (call $fd_write (i32.const 1) (i32.const 0x640) (i32.const 1) (i32.const 240)))
        (i32.store (i32.const 0x648) (i32.const 0x700))
        (i32.store (i32.const 0x64c) (i32.const 4))
        (i32.store (i32.const 0x624) (call $fd_write (i32.const 1) (i32.const 0x648) (i32.const 1) (i32.const 0x20000)))
        (call $write_all (i32.const 1) (i32.const 0x704) (i32.const 3) (i32.const 248))
        (call $post (i32.const 100) (i32.const 1) (i32.const 256)))
      (func (export "_start")
        (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (drop (call $await (i32.const 100) (i32.const 208)))
        (call $exit (i32.const 0)))`,
      { data: `(data (memory 0) (i32.const 0x700) "bad\\nok\\n")`, options: { stdout: out.write, threads: { poolSize: 2 } } },
    );
    expect(code).toBe(0);
    const errnos = Array.from({ length: 10 }, (_, i) => u32(memory, 0x600 + 4 * i));
    const { fault, inval } = Errno;
    expect(errnos).toEqual([fault, inval, fault, fault, fault, fault, inval, fault, fault, fault]);
    // The write whose nwritten pointer was bad wrote nothing: out-pointers are checked first.
    expect(out.text()).toBe('ok\n');
    // Neither failed spawn started a thread: main's worker and the one thread's.
    expect(p.workers).toHaveLength(2);
  });

  // Wasmer reads the thread_start record (lib/wasix thread_spawn_v2) and answers fault when it is
  // outside memory; wasi-kit passes the pointer on unchecked and starts a thread that would read
  // garbage. Fix (src/handlers/wasix/threads.ts, thread_spawn_v2): m.checkAligned(startPtr,
  // THREAD_START.SIZE, THREAD_START.ALIGN) before k.threads.spawn. Flip to `it` once fixed.
  it('thread_spawn_v2 with its thread_start record outside memory is fault', async () => {
    const { code } = await runWasix(
      `(func (export "wasi_thread_start") (param i32 i32))
      (func (export "_start")
        (call $exit (call $spawn (i32.const 0xffffffc0) (i32.const 200))))`,
    );
    expect(code).toBe(Errno.fault);
  });
});

describe('i64 arguments through the channel', () => {
  it('keep their sign and their high half', async () => {
    const fs = new MemoryFileSystem();
    const { code, memory } = await runWasix(
      `(func (export "wasi_thread_start") (param i32 i32))
      (func (export "_start")
        (local $fd i32)
        (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 2900) (i32.const 7) (i32.const 9) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 96)) (then unreachable))
        (local.set $fd (i32.load (i32.const 96)))
        (call $write_all (local.get $fd) (i32.const 0x700) (i32.const 6) (i32.const 240))
        ;; -2 from the end: 4
        (i32.store (i32.const 0x600) (call $fd_seek (local.get $fd) (i64.const -2) (i32.const 2) (i32.const 0x800)))
        ;; 2^32 + 3 from the start: the high half must survive
        (i32.store (i32.const 0x604) (call $fd_seek (local.get $fd) (i64.const 0x100000003) (i32.const 0) (i32.const 0x808)))
        ;; -(2^32 + 4) from there is -1: inval (with the high half lost it would land at 2^32 - 1)
        (i32.store (i32.const 0x608) (call $fd_seek (local.get $fd) (i64.const -0x100000004) (i32.const 1) (i32.const 0x810)))
        ;; pread at 2^32 + 1 is past the end and reads nothing (at 1 it would read "bcdef")
        (i32.store (i32.const 0x640) (i32.const 0x900))
        (i32.store (i32.const 0x644) (i32.const 16))
        (i32.store (i32.const 0x60c) (call $fd_pread (local.get $fd) (i32.const 0x640) (i32.const 1) (i64.const 0x100000001) (i32.const 0x818)))
        (i32.store (i32.const 0x648) (i32.const 0x920))
        (i32.store (i32.const 0x64c) (i32.const 16))
        (i32.store (i32.const 0x610) (call $fd_pread (local.get $fd) (i32.const 0x648) (i32.const 1) (i64.const 3) (i32.const 0x81c)))
        ;; precision with the top bit set is a u64, not an error
        (i32.store (i32.const 0x614) (call $clock (i32.const 1) (i64.const -1) (i32.const 0x820)))
        (call $exit (i32.const 0)))`,
      { data: `(data (memory 0) (i32.const 2900) "out.txt") (data (memory 0) (i32.const 0x700) "abcdef")`, options: { preopens: { '/': fs } } },
    );
    expect(code).toBe(0);
    const v = new DataView(memory.buffer);
    expect(Array.from({ length: 6 }, (_, i) => u32(memory, 0x600 + 4 * i))).toEqual([0, 0, Errno.inval, 0, 0, 0]);
    expect(v.getBigUint64(0x800, true)).toBe(4n);
    expect(v.getBigUint64(0x808, true)).toBe(0x100000003n);
    expect(v.getBigUint64(0x810, true)).toBe(0n);
    expect(u32(memory, 0x818)).toBe(0);
    expect(u32(memory, 0x81c)).toBe(3);
    expect(text(memory, 0x920, 3)).toBe('def');
    expect(v.getBigUint64(0x820, true)).toBeGreaterThan(0n);
  });
});

describe('memory growth', () => {
  it('pages one thread adds are seen by the kernel and by every other thread', async () => {
    const out = textSink();
    const { code, memory } = await runWasix(
      `(func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (drop (call $await (i32.const 100) (i32.const 240)))
        ;; main grew memory to 3 pages and put "grown\\n" at 0x20000: a write from there
        (i32.store (i32.const 0x20010) (i32.const 0x20000))
        (i32.store (i32.const 0x20014) (i32.const 6))
        (i32.store (i32.const 0x600) (call $fd_write (i32.const 1) (i32.const 0x20010) (i32.const 1) (i32.const 0x20020)))
        (i32.store (i32.const 0x604) (i32.load (i32.const 0x20020)))
        ;; futexes in the new page, answered in this worker
        (i32.store (i32.const 0x608) (call $fwake (i32.const 0x20030) (i32.const 0x20034)))
        (i32.store (i32.const 0x60c) (call $fwait (i32.const 0x20040) (i32.const 5) (i32.const 320) (i32.const 0x20044)))
        ;; this thread grows it to 4 pages and puts "again\\n" at 0x30000 for main
        (i32.store (i32.const 0x610) (memory.grow (i32.const 1)))
        (memory.copy (i32.const 0x30000) (i32.const 0x706) (i32.const 6))
        (call $post (i32.const 104) (i32.const 1) (i32.const 248)))
      (func (export "_start")
        (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (i32.store (i32.const 0x614) (memory.grow (i32.const 1)))
        (memory.copy (i32.const 0x20000) (i32.const 0x700) (i32.const 6))
        (call $post (i32.const 100) (i32.const 1) (i32.const 208))
        (drop (call $await (i32.const 104) (i32.const 216)))
        (i32.store (i32.const 0x30010) (i32.const 0x30000))
        (i32.store (i32.const 0x30014) (i32.const 6))
        (i32.store (i32.const 0x618) (call $fd_write (i32.const 1) (i32.const 0x30010) (i32.const 1) (i32.const 0x30020)))
        (call $exit (i32.const 0)))`,
      { data: `(data (memory 0) (i32.const 0x700) "grown\\nagain\\n")`, options: { stdout: out.write, threads: { poolSize: 2 } }, pages: { initial: 2, maximum: 4 } },
    );
    expect(code).toBe(0);
    expect(memory.buffer.byteLength).toBe(4 * PAGE);
    expect(out.text()).toBe('grown\nagain\n');
    // fd_write ok (6 bytes), futex_wake ok (no waiter), futex_wait ok (value differs: woken),
    // the grows returned the old sizes, main's last write ok.
    expect(Array.from({ length: 7 }, (_, i) => u32(memory, 0x600 + 4 * i))).toEqual([0, 6, 0, 0, 3, 2, 0]);
    expect(new Uint8Array(memory.buffer)[0x20034]).toBe(0);
    expect(new Uint8Array(memory.buffer)[0x20044]).toBe(1);
  });
});

describe('many threads', () => {
  it('16 threads spawned and joined 3 times over a pool of 2 with maxThreads 17: slots are reused, ids unique', async () => {
    const ROUNDS = 3;
    const N = 16;
    const { code, memory, platform: p } = await runWasix(
      `(func (export "wasi_thread_start") (param $tid i32) (param $k i32)
        ;; a kernel call, then count
        (if (call $clock (i32.const 1) (i64.const 0) (i32.add (i32.const 0x2000) (i32.shl (local.get $k) (i32.const 3)))) (then unreachable))
        (drop (i32.atomic.rmw.add (i32.const 100) (i32.const 1))))
      (func $slot (param $r i32) (param $k i32) (result i32)
        (i32.add (i32.const 0x1000) (i32.shl (i32.add (i32.mul (local.get $r) (i32.const ${N})) (local.get $k)) (i32.const 2))))
      (func (export "_start")
        (local $r i32) (local $k i32)
        (loop $rounds
          (local.set $k (i32.const 0))
          (loop $spawn
            (drop (call $spawn_ok (local.get $k) (call $slot (local.get $r) (local.get $k))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $spawn (i32.lt_u (local.get $k) (i32.const ${N}))))
          ;; every thread joined, so the next round fits under the limit again
          (local.set $k (i32.const 0))
          (loop $join
            (if (call $join (i32.load (call $slot (local.get $r) (local.get $k)))) (then unreachable))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $join (i32.lt_u (local.get $k) (i32.const ${N}))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $rounds (i32.lt_u (local.get $r) (i32.const ${ROUNDS}))))
        (call $exit (i32.atomic.load (i32.const 100))))`,
      { options: { threads: { poolSize: 2, maxThreads: N + 1 } } },
    );
    expect(code).toBe(ROUNDS * N);
    const tids = Array.from({ length: ROUNDS * N }, (_, i) => u32(memory, 0x1000 + 4 * i));
    expect(new Set(tids).size).toBe(ROUNDS * N);
    expect(Math.min(...tids)).toBeGreaterThan(1);
    // At most main's worker and one per thread of a round (a thread that ends early in a round may
    // already lend its worker to the next spawn): later rounds reuse them rather than make 3N more.
    expect(p.workers.length).toBeLessThanOrEqual(N + 1);
    expect(p.workers.length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});

describe('threads ending while others wait', () => {
  it('a thread exits while another is parked in a pipe read; the reader is answered after its slot neighbour is reused', async () => {
    const { code, memory, platform: p } = await runWasix(
      `(func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (if (i32.eq (local.get $arg) (i32.const 1)) (then
          ;; the reader: parked until the third thread writes
          (i32.store (i32.const 0x640) (i32.const 0x900))
          (i32.store (i32.const 0x644) (i32.const 16))
          (i32.store (i32.const 0x600) (call $fd_read (i32.load (i32.const 400)) (i32.const 0x640) (i32.const 1) (i32.const 0x604)))
          (call $post (i32.const 112) (i32.const 1) (i32.const 240))
          (return)))
        (if (i32.eq (local.get $arg) (i32.const 2)) (then
          (drop (call $sleep (i64.const 1000000)))
          (call $thread_exit (i32.const 0))))
        ;; the writer, on the exited thread's worker
        (call $write_all (i32.load (i32.const 404)) (i32.const 0x700) (i32.const 2) (i32.const 248)))
      (func (export "_start")
        (if (call $pipe (i32.const 400) (i32.const 404)) (then unreachable))
        (drop (call $spawn_ok (i32.const 1) (i32.const 200)))
        (i32.store (i32.const 0x610) (call $spawn_ok (i32.const 2) (i32.const 204)))
        (if (call $join (i32.load (i32.const 0x610))) (then unreachable))
        (i32.store (i32.const 0x614) (call $spawn_ok (i32.const 3) (i32.const 208)))
        (drop (call $await (i32.const 112) (i32.const 216)))
        (call $exit (i32.const 0)))`,
      { data: `(data (memory 0) (i32.const 0x700) "xy")`, options: { threads: { poolSize: 3 } } },
    );
    expect(code).toBe(0);
    expect(u32(memory, 0x600)).toBe(0);
    expect(u32(memory, 0x604)).toBe(2);
    expect(text(memory, 0x900, 2)).toBe('xy');
    expect(u32(memory, 0x614)).not.toBe(u32(memory, 0x610));
    expect(p.workers).toHaveLength(3);
  });

  // Three threads: one parked in a pipe read (kernel side), one blocked in futex_wait (in its
  // worker), one computing without syscalls. The program then ends in three ways.
  const waiting = (end: string) => `
    (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
      (call $post (i32.add (i32.const 120) (i32.shl (local.get $arg) (i32.const 2))) (i32.const 1) (i32.add (i32.const 240) (i32.shl (local.get $arg) (i32.const 3))))
      (if (i32.eq (local.get $arg) (i32.const 0)) (then
        (i32.store (i32.const 0x640) (i32.const 0x900))
        (i32.store (i32.const 0x644) (i32.const 16))
        (drop (call $fd_read (i32.load (i32.const 400)) (i32.const 0x640) (i32.const 1) (i32.const 0x604)))
        (unreachable)))
      (if (i32.eq (local.get $arg) (i32.const 1)) (then
        (drop (call $fwait (i32.const 108) (i32.const 0) (i32.const 320) (i32.const 280)))
        (unreachable)))
      (if (i32.eq (local.get $arg) (i32.const 2)) (then (loop $spin (br $spin))))
      ${end})
    (func (export "_start")
      (if (call $pipe (i32.const 400) (i32.const 404)) (then unreachable))
      (drop (call $spawn_ok (i32.const 0) (i32.const 200)))
      (drop (call $spawn_ok (i32.const 1) (i32.const 204)))
      (drop (call $spawn_ok (i32.const 2) (i32.const 208)))
      (drop (call $await (i32.const 120) (i32.const 216)))
      (drop (call $await (i32.const 124) (i32.const 224)))
      (drop (call $await (i32.const 128) (i32.const 232)))
      (if (i32.eqz (i32.load (i32.const 136))) (then (return)))
      ;; the fourth thread ends the program while this one waits
      (drop (call $spawn_ok (i32.const 3) (i32.const 212)))
      (drop (call $await (i32.const 140) (i32.const 300)))
      (unreachable))`;

  it('main returning from _start ends the program; no worker is left', async () => {
    const { code } = await runWasix(waiting('(unreachable)'), { options: { threads: { poolSize: 4 } } });
    expect(code).toBe(0);
  });

  it('proc_exit from a thread while the others wait or compute ends the program with its code; no worker is left', async () => {
    const { code } = await runWasix(waiting('(call $exit (i32.const 5))'), { data: `(data (memory 0) (i32.const 136) "\\01")`, options: { threads: { poolSize: 5 } } });
    expect(code).toBe(5);
  });

  it('a trap in a thread while the others wait or compute rejects; no worker is left', async () => {
    const p = runWasix(waiting('(unreachable)'), { data: `(data (memory 0) (i32.const 136) "\\01")`, options: { threads: { poolSize: 5 } } });
    await expect(p).rejects.toBeInstanceOf(WebAssembly.RuntimeError);
  });
});

describe('thread_join', () => {
  it('of the calling thread itself is deadlk, not a hang', async () => {
    const { code, memory } = await runWasix(
      `(func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (i32.store (i32.const 0x600) (call $join (local.get $tid)))
        (call $post (i32.const 100) (i32.const 1) (i32.const 240)))
      (func (export "_start")
        (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
        ;; wait at most 5 s for the thread (a hung self-join shows as exit 99)
        (i32.store (i32.const 336) (i32.const 1))
        (i64.store (i32.const 344) (i64.const 5000000000))
        (drop (call $fwait (i32.const 100) (i32.const 0) (i32.const 336) (i32.const 208)))
        (if (i32.eqz (i32.atomic.load (i32.const 100))) (then (call $exit (i32.const 99))))
        ;; the main thread joining itself
        (i32.store (i32.const 0x604) (call $join (i32.const 1)))
        (call $exit (i32.const 0)))`,
    );
    expect(code).toBe(0);
    expect([u32(memory, 0x600), u32(memory, 0x604)]).toEqual([Errno.deadlk, Errno.deadlk]);
  }, 15_000);
});

describe('thread_signal to a parked thread', () => {
  it('runs its callback on that thread and ends the parked read with intr', async () => {
    const USR1 = 10;
    const { code, memory } = await runWasix(
      `(func (export "on_signal") (param $sig i32)
        (if (call $thread_id (i32.const 260)) (then unreachable))
        (i32.store (i32.const 0x608) (i32.load (i32.const 260)))
        (i32.store (i32.const 0x60c) (local.get $sig)))
      (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (call $callback (i32.const 0x700) (i32.const 9))
        (call $post (i32.const 112) (i32.const 1) (i32.const 240))
        (i32.store (i32.const 0x640) (i32.const 0x900))
        (i32.store (i32.const 0x644) (i32.const 16))
        (i32.store (i32.const 0x600) (call $fd_read (i32.load (i32.const 400)) (i32.const 0x640) (i32.const 1) (i32.const 0x604)))
        ;; the callback ran before the read returned
        (i32.store (i32.const 0x610) (i32.load (i32.const 0x608)))
        (call $post (i32.const 100) (i32.const 1) (i32.const 248)))
      (func (export "_start")
        (local $tid i32)
        (if (call $pipe (i32.const 400) (i32.const 404)) (then unreachable))
        (local.set $tid (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (drop (call $await (i32.const 112) (i32.const 216)))
        ;; let the read park (either way the signal must end it)
        (drop (call $sleep (i64.const 20000000)))
        (if (call $thread_signal (local.get $tid) (i32.const ${USR1})) (then unreachable))
        (i32.store (i32.const 336) (i32.const 1))
        (i64.store (i32.const 344) (i64.const 5000000000))
        (drop (call $fwait (i32.const 100) (i32.const 0) (i32.const 336) (i32.const 208)))
        (if (i32.eqz (i32.atomic.load (i32.const 100))) (then (call $exit (i32.const 99))))
        (call $exit (i32.const 0)))`,
      { data: `(data (memory 0) (i32.const 0x700) "on_signal")` },
    );
    expect(code).toBe(0);
    expect(u32(memory, 0x600)).toBe(Errno.intr);
    expect(u32(memory, 0x610)).toBe(2);
    expect(u32(memory, 0x60c)).toBe(USR1);
  }, 15_000);
});

describe('trace with threads', () => {
  // The writer thread writes to stdout, sleeps, then fills the pipe main is parked reading.
  const program = `
    (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
      (call $write_all (i32.const 1) (i32.const 0x700) (i32.const 2) (i32.const 0x680))
      (drop (call $sleep (i64.const 20000000)))
      (call $write_all (i32.load (i32.const 404)) (i32.const 0x702) (i32.const 2) (i32.const 0x6a0)))
    (func (export "_start")
      (if (call $pipe (i32.const 400) (i32.const 404)) (then unreachable))
      (call $write_all (i32.const 1) (i32.const 0x700) (i32.const 2) (i32.const 0x640))
      (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
      (i32.store (i32.const 0x660) (i32.const 0x900))
      (i32.store (i32.const 0x664) (i32.const 16))
      (if (call $fd_read (i32.load (i32.const 400)) (i32.const 0x660) (i32.const 1) (i32.const 0x668)) (then unreachable))
      (call $exit (i32.load (i32.const 0x668))))`;
  const data = `(data (memory 0) (i32.const 0x700) "a\\nxy")`;

  it("sees the calls of every thread, on the caller's thread", async () => {
    const events: TraceEvent[] = [];
    const { code } = await runWasix(program, { data, options: { trace: (e) => events.push(e), stdout: () => {} } });
    expect(code).toBe(2);
    const writes = events.filter((e) => e.name === 'fd_write').map((e) => [e.args.iovs, e.errno]);
    // main's stdout write (iovec at 0x640), the thread's (0x680) and its pipe write (0x6a0)
    expect(writes).toEqual(expect.arrayContaining([[0x640, 'success'], [0x680, 'success'], [0x6a0, 'success']]));
    expect(events.some((e) => e.name === 'thread_spawn_v2' && e.errno === 'success')).toBe(true);
  });

  // A parked call is run again from the top on every retry, and src/trace.ts reports each attempt
  // (errno undefined, as for a call that threw). Fix there: do not report an attempt that threw
  // `Blocked` (src/kernel/blocking.ts), only the one that completes. Flip to `it` once fixed.
  it('reports a parked call once, when it completes', async () => {
    const events: TraceEvent[] = [];
    const { code } = await runWasix(program, { data, options: { trace: (e) => events.push(e), stdout: () => {} } });
    expect(code).toBe(2);
    expect(events.filter((e) => e.name === 'fd_read').map((e) => e.errno)).toEqual(['success']);
    expect(events.filter((e) => e.name === 'thread_sleep').map((e) => e.errno)).toEqual(['success']);
  });
});

describe('imports and workers the kernel cannot give', () => {
  it('a WASIX program run with version preview1 fails to link, as it does without threads', async () => {
    const p = runWasix(`(func (export "wasi_thread_start") (param i32 i32)) (func (export "_start") (call $exit (i32.const 3)))`, { options: { version: 'preview1' } });
    // Not a failure at the first call the kernel cannot serve: instantiating in the worker fails, naming the module.
    await expect(p).rejects.toMatchObject({ name: 'TypeError', message: expect.stringMatching(/Import #\d+.*wasix_32v1/) });
  });

  it('a worker that cannot be made for the pool rejects run() and stops the ones already made', async () => {
    const p = runWasix(`(func (export "wasi_thread_start") (param i32 i32)) (func (export "_start"))`, { failAt: 2, options: { threads: { poolSize: 2 } } });
    await expect(p).rejects.toThrow(/no more threads/);
    expect(platform!.workers).toHaveLength(1);
  });

  it('a spawn that cannot make a worker is again to the guest, for both thread calls', async () => {
    const { code } = await runWasix(
      `(func (export "wasi_thread_start") (param i32 i32))
      (func (export "_start")
        (call $exit (i32.add (i32.mul (call $spawn (i32.const 1024) (i32.const 200)) (i32.const 10))
          (i32.lt_s (call $wasi_spawn (i32.const 0)) (i32.const 0)))))`,
      { failAt: 2, options: { version: 'auto', threads: { poolSize: 1 } } },
    );
    expect(code).toBe(Errno.again * 10 + 1);
  });
});
