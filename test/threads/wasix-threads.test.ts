import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, ProcExit, WASI } from '../../src/index.js';
import { ThreadExit } from '../../src/handlers/wasix/threads.js';
import { textSink, watBytes } from './helpers.js';
import { wasixModule } from './wasix-prelude.js';

const run = async (body: string, options: ConstructorParameters<typeof WASI>[0] = {}, data = '') =>
  new WASI({ version: 'wasix', ...options }).run(await watBytes(wasixModule(body, data)));

describe('WASIX threads', () => {
  it('a futex handshake between two threads', async () => {
    const code = await run(`
      (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (call $post (i32.const 100) (i32.const 7) (i32.const 240)))
      (func (export "_start")
        (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (call $exit (call $await (i32.const 100) (i32.const 208))))`);
    expect(code).toBe(7);
  });

  it('futex_wait with a timeout returns timed out (woken = false)', async () => {
    const code = await run(
      `(func (export "wasi_thread_start") (param i32 i32))
      (func (export "_start")
        (if (call $fwait (i32.const 100) (i32.const 0) (i32.const 336) (i32.const 208)) (then unreachable))
        (call $exit (i32.add (i32.const 40) (i32.load8_u (i32.const 208)))))`,
      {},
      // option<timestamp> some(80 ms) at 336: tag 1, then the u64 at offset 8.
      `(data (memory 0) (i32.const 336) "\\01\\00\\00\\00\\00\\00\\00\\00\\00\\b4\\c4\\04\\00\\00\\00\\00")`,
    );
    expect(code).toBe(40);
  });

  it('futex_wait on a value that differs returns at once, woken; futex_wake with no waiter says so', async () => {
    const code = await run(`
      (func (export "wasi_thread_start") (param i32 i32))
      (func (export "_start")
        (i32.store (i32.const 100) (i32.const 5))
        (if (call $fwait (i32.const 100) (i32.const 0) (i32.const 320) (i32.const 208)) (then unreachable))
        (if (call $fwake (i32.const 104) (i32.const 209)) (then unreachable))
        (call $exit (i32.add (i32.mul (i32.load8_u (i32.const 208)) (i32.const 10)) (i32.load8_u (i32.const 209)))))`);
    expect(code).toBe(10);
  });

  it('a thread spawns a thread while the main thread is blocked in a futex wait', async () => {
    // Thread A (start pointer 1024) spawns B (2048); B posts its own id + 1000, main returns it.
    const code = await run(`
      (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (if (i32.eq (local.get $arg) (i32.const 1024))
          (then
            (call $sleep (i64.const 30000000)) (drop)
            (call $post (i32.const 104) (call $spawn_ok (i32.const 2048) (i32.const 216)) (i32.const 228)))
          (else
            (if (call $thread_id (i32.const 224)) (then unreachable))
            (call $post (i32.const 100) (i32.add (i32.load (i32.const 224)) (i32.const 1000)) (i32.const 232)))))
      (func (export "_start")
        (local $v i32)
        (i32.store (i32.const 108) (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (local.set $v (call $await (i32.const 100) (i32.const 208)))
        ;; B may post before A has stored B's id: wait for that too.
        (drop (call $await (i32.const 104) (i32.const 212)))
        ;; B's id is the one A's spawn returned, and differs from A's.
        (if (i32.ne (i32.sub (local.get $v) (i32.const 1000)) (i32.load (i32.const 104))) (then unreachable))
        (if (i32.eq (i32.load (i32.const 104)) (i32.load (i32.const 108))) (then unreachable))
        (call $exit (i32.const 0)))`);
    expect(code).toBe(0);
  });

  it('thread_join returns once the thread has ended', async () => {
    const code = await run(`
      (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (call $sleep (i64.const 50000000)) (drop)
        (i32.store (i32.const 100) (i32.const 5)))
      (func (export "_start")
        (local $tid i32)
        (local.set $tid (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (if (call $join (local.get $tid)) (then unreachable))
        (call $exit (i32.load (i32.const 100))))`);
    expect(code).toBe(5);
  });

  it("a thread's end is not the process's: a catch for ProcExit does not take ThreadExit", () => {
    expect(new ThreadExit(3)).not.toBeInstanceOf(ProcExit);
    expect(new ProcExit(3)).not.toBeInstanceOf(ThreadExit);
  });

  it('thread_exit ends only its thread', async () => {
    const code = await run(`
      (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (i32.store (i32.const 100) (i32.const 3))
        (call $thread_exit (i32.const 9))
        (i32.store (i32.const 100) (i32.const 4)))
      (func (export "_start")
        (if (call $join (call $spawn_ok (i32.const 1024) (i32.const 200))) (then unreachable))
        (call $exit (i32.load (i32.const 100))))`);
    expect(code).toBe(3);
  });

  it('proc_exit from a worker thread ends the program with its code', async () => {
    const code = await run(`
      (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (call $exit (i32.const 17)))
      (func (export "_start")
        (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (drop (call $await (i32.const 100) (i32.const 208)))
        (unreachable))`);
    expect(code).toBe(17);
  });

  it('a trap in a thread ends the program as a trap', async () => {
    const p = run(`
      (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (unreachable))
      (func (export "_start")
        (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (drop (call $await (i32.const 100) (i32.const 208))))`);
    await expect(p).rejects.toBeInstanceOf(WebAssembly.RuntimeError);
    await expect(p).rejects.toThrow(/unreachable/);
  });

  it('a blocking read of an empty pipe waits for the writer thread', async () => {
    const code = await run(`
      (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (call $sleep (i64.const 40000000)) (drop)
        (call $write_all (i32.load (i32.const 404)) (i32.const 600) (i32.const 2) (i32.const 240)))
      (func (export "_start")
        (if (call $pipe (i32.const 400) (i32.const 404)) (then unreachable))
        (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
        ;; iovec at 500 -> [700, 700 + 16)
        (i32.store (i32.const 500) (i32.const 700))
        (i32.store (i32.const 504) (i32.const 16))
        (if (call $fd_read (i32.load (i32.const 400)) (i32.const 500) (i32.const 1) (i32.const 508)) (then unreachable))
        (call $exit (i32.add (i32.load (i32.const 508)) (i32.load8_u (i32.const 701)))))`,
      {},
      `(data (memory 0) (i32.const 600) "h(")`,
    );
    expect(code).toBe(2 + '('.charCodeAt(0));
  });

  it('every thread writes lines to stdout and to one in-memory file, nothing lost or torn', async () => {
    const THREADS = 4;
    const LINES = 200;
    const out = textSink();
    const fs = new MemoryFileSystem();
    const code = await run(
      `;; thread k writes line k (at 3000 + 64k, 40 bytes) LINES times to stdout and to the file
      (func (export "wasi_thread_start") (param $tid i32) (param $k i32)
        (local $i i32) (local $line i32) (local $scratch i32)
        (local.set $line (i32.add (i32.const 3000) (i32.mul (local.get $k) (i32.const 64))))
        (local.set $scratch (i32.add (i32.const 5000) (i32.mul (local.get $k) (i32.const 32))))
        (loop $l
          (call $write_all (i32.const 1) (local.get $line) (i32.const 40) (local.get $scratch))
          (call $write_all (i32.load (i32.const 96)) (local.get $line) (i32.const 40) (local.get $scratch))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const ${LINES}))))
        (drop (i32.atomic.rmw.add (i32.const 100) (i32.const 1)))
        (drop (memory.atomic.notify (i32.const 100) (i32.const 1))))
      (func (export "_start")
        (local $k i32) (local $done i32)
        ;; path_open(3, 0, "out.txt", 7, creat|trunc, rights, rights, 0, &fd at 96)
        (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 2900) (i32.const 7) (i32.const 9) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 96)) (then unreachable))
        (loop $l
          (drop (call $spawn_ok (local.get $k) (i32.add (i32.const 200) (i32.mul (local.get $k) (i32.const 4)))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $k) (i32.const ${THREADS}))))
        (loop $w
          (local.set $done (i32.atomic.load (i32.const 100)))
          (if (i32.lt_u (local.get $done) (i32.const ${THREADS}))
            (then (drop (memory.atomic.wait32 (i32.const 100) (local.get $done) (i64.const -1))) (br $w))))
        (call $exit (i32.const 0)))`,
      { stdout: out.write, preopens: { '/': fs } },
      `(data (memory 0) (i32.const 2900) "out.txt")` +
        Array.from({ length: THREADS }, (_, k) => `(data (memory 0) (i32.const ${3000 + 64 * k}) "${`thread ${k} says: ${'abcdefghij'.repeat(3)}`.slice(0, 39)}\\n")`).join(''),
    );
    expect(code).toBe(0);
    const expectLines = (text: string) => {
      const lines = text.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(THREADS * LINES);
      for (let k = 0; k < THREADS; k++) {
        const want = `thread ${k} says: ${'abcdefghij'.repeat(3)}`.slice(0, 39);
        expect(lines.filter((l) => l === want)).toHaveLength(LINES);
      }
    };
    expectLines(out.text());
    expectLines(new TextDecoder().decode(fs.toFiles()['/out.txt'] as Uint8Array));
  });
});

describe('WASIX signals with threads', () => {
  it("a signal raised by a thread runs the guest's callback on that thread, before the call returns", async () => {
    const USR1 = 10;
    const code = await run(
      `(func (export "on_signal") (param $sig i32)
        ;; runs in the thread that raised it: its id is 2, not the main thread's 1
        (if (call $thread_id (i32.const 260)) (then unreachable))
        (i32.store (i32.const 104) (i32.load (i32.const 260)))
        (i32.store (i32.const 108) (local.get $sig)))
      (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (call $callback (i32.const 700) (i32.const 9))
        (if (call $raise (i32.const ${USR1})) (then unreachable))
        ;; the callback has run by now
        (call $post (i32.const 100) (i32.add (i32.mul (i32.load (i32.const 104)) (i32.const 100)) (i32.load (i32.const 108))) (i32.const 240)))
      (func (export "_start")
        (drop (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (call $exit (call $await (i32.const 100) (i32.const 208))))`,
      {},
      `(data (memory 0) (i32.const 700) "on_signal")`,
    );
    expect(code).toBe(2 * 100 + USR1);
  });
});

describe('thread_signal', () => {
  it("delivers to that thread, within its next syscall; an unknown thread is srch", async () => {
    const USR2 = 12;
    const code = await run(
      `(func (export "on_signal") (param $sig i32)
        (if (call $thread_id (i32.const 260)) (then unreachable))
        (i32.store (i32.const 104) (i32.add (i32.mul (i32.load (i32.const 260)) (i32.const 100)) (local.get $sig))))
      (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (call $callback (i32.const 700) (i32.const 9))
        (call $post (i32.const 112) (i32.const 1) (i32.const 240))
        ;; syscalls until the callback has run
        (loop $l
          (drop (call $sleep (i64.const 2000000)))
          (br_if $l (i32.eqz (i32.load (i32.const 104)))))
        (call $post (i32.const 100) (i32.load (i32.const 104)) (i32.const 248)))
      (func (export "_start")
        (local $tid i32)
        (local.set $tid (call $spawn_ok (i32.const 1024) (i32.const 200)))
        (drop (call $await (i32.const 112) (i32.const 216)))
        (if (i32.ne (call $thread_signal (i32.const 999) (i32.const ${USR2})) (i32.const 71)) (then unreachable))
        (if (call $thread_signal (local.get $tid) (i32.const ${USR2})) (then unreachable))
        (call $exit (call $await (i32.const 100) (i32.const 208))))`,
      {},
      `(data (memory 0) (i32.const 700) "on_signal")`,
    );
    expect(code).toBe(2 * 100 + USR2);
  });
});
