// proc_fork from C programs of our own (test/programs/proc/fork.c, built with Debian's clang + wasi-libc
// and made fork-capable by Binaryen's asyncify pass): memory copied, exit codes and wait, SIGCHLD, fds
// shared (a pipe), exec after fork, setjmp before fork and longjmp in the child, a fork bomb stopped by
// maxProcesses, vfork with exec and with exit, sockets across fork and spawn, and no worker left after any run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Errno } from '../../generated/wasix/types.js';
import { WASI, type WasiOptions } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink, watBytes } from '../threads/helpers.js';
import { trackedPlatform, withPlatform } from '../threads/tracked-platform.js';

const bytes = (name: string) => readFileSync(join(REPO_ROOT, 'test/programs/proc', `${name}.wasm`));
const commands = { echo: bytes('echo') };

/** Runs `fork MODE`; checks that every worker it made is gone once run() has resolved. */
async function fork(args: string[], options: WasiOptions = {}) {
  const tp = trackedPlatform();
  const out = textSink();
  const err = textSink();
  const code = await withPlatform(tp, () => new WASI({ args: ['fork', ...args], stdout: out.write, stderr: err.write, commands, ...options }).run(bytes('fork')));
  expect(tp.alive()).toEqual([]);
  return { code, out: out.text(), err: err.text(), workers: tp.workers.length };
}

describe('proc_fork (copy_memory=1)', () => {
  it("copies memory: the child sees the parent's writes from before the fork; after it, each side's writes are its own", async () => {
    const r = await fork(['memory']);
    expect(r.out).toBe('child: pid 2 counter 2 big p\nparent: child 2 code 7 counter 2 big pp\n');
    expect(r.code).toBe(0);
    // The first process's pool, and one worker for the child.
    expect(r.workers).toBeGreaterThanOrEqual(2);
  });

  it('the child shares the open descriptions: a pipe it writes is read by the parent, to its end once both writers closed', async () => {
    const r = await fork(['pipe']);
    expect(r.out).toBe('parent read [through the pipe] child code 0\n');
  });

  it('sockets go across fork and spawn: a child connects to the listener its parent opened; a second child, and a spawned echo as its stdout, answer on the connection they inherited', async () => {
    const r = await fork(['socket'], { network: { listen: ['127.0.0.1:*'], connect: ['127.0.0.1:*'] } });
    // child 1 reads to the end only once every holder of the accepted connection (the parent, child 2, echo) closed it.
    expect(r.out).toBe('parent accepted [from child 1\n]child 1 read [answer from child 2; spawned\n] to its end\ncodes 0 0 0\n');
  });

  it('exec after fork keeps the fds without close-on-exec: the new image writes into the pipe', async () => {
    const r = await fork(['exec']);
    expect(r.out).toBe('parent read [hello from exec\n] child code 0\n');
  });

  it('the parent gets SIGCHLD through its handler (inherited by the child, which just exits)', async () => {
    const r = await fork(['sigchld']);
    expect(r.out).toBe('child code 3 sigchld 1\n');
  });

  it('a setjmp taken before the fork is a checkpoint of the child too: its longjmp lands there', async () => {
    const r = await fork(['setjmp']);
    expect(r.out).toBe('child: longjmp returned 77 (jumped 1)\nparent: child code 9\n');
  });

  it("a child's worker serves the next child once it has exited: 6 forks in turn take one worker beside the first process's 4", async () => {
    // Each child checks the 8 MiB its parent filled after growing its memory (exit 1 otherwise, and the parent stops).
    const r = await fork(['bench', '6', '8']);
    expect(r.out).toBe('go\ndone\n');
    expect(r.code).toBe(0);
    expect(r.workers).toBe(5);
  });

  it('a child forks in turn: each waits for its own, exit codes add up through the chain', async () => {
    const r = await fork(['chain', '4']);
    expect(r.code).toBe(4);
  });

  it('a fork bomb is stopped by maxProcesses with again; the first process goes on, and the tree ends with it', async () => {
    const r = await fork(['bomb'], { maxProcesses: 8 });
    const m = /^first forked (\d+) then again\n$/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    // The first process counts itself: at most 7 others at once.
    expect(Number(m![1])).toBeGreaterThanOrEqual(1);
    expect(Number(m![1])).toBeLessThanOrEqual(7);
    expect(r.code).toBe(0);
  });
});

describe('proc_fork (copy_memory=0): vfork', () => {
  it("the child runs in the parent's memory with fds of its own until it execs; then the parent goes on with its pid", async () => {
    const r = await fork(['vfork']);
    // counter 2: the child wrote its pid there (no copy); the parent's stdout is its own (the child moved the pipe onto its copy).
    expect(r.out).toBe('parent 1: child 2 counter 2 read [vforked\n] child code 0\n');
    expect(r.code).toBe(0);
  });

  it('the child exits: the parent goes on with its pid and reaps its exit code; traced calls name the process that made them', async () => {
    const calls: string[] = [];
    const r = await fork(['vfork-exit'], { trace: (e) => void (e.name.startsWith('proc_') && calls.push(`${e.thread?.pid}:${e.thread?.tid} ${e.name}`)) });
    expect(r.out).toBe('child 2 code 42\n');
    // The child's proc_exit runs on its parent's thread 1, as process 2.
    expect(calls).toEqual(['1:1 proc_fork', '2:1 proc_exit', '1:1 proc_join']);
  });

  it('the child cannot fork or vfork (notsup) until it execs or exits; its parent still goes on', async () => {
    const r = await fork(['vfork-nested']);
    expect(r.out).toBe('child 2 code 3\n');
  });
});

describe('proc_fork from a thread, and refusals', () => {
  it('a thread that forks is the only thread of the child: one worker for it, and the main thread runs in the parent only', async () => {
    const tp = trackedPlatform();
    const out = textSink();
    const code = await withPlatform(tp, () => new WASI({ args: ['fork-thread', '6'], stdout: out.write }).run(readFileSync(join(REPO_ROOT, 'test/programs/threads/fork-thread.wasm'))));
    // The child's thread keeps its frames (its tid argument is the parent thread's, 2); it exits 6.
    expect(out.text()).toBe('child: pid, thread 2 2\nparent thread: child, code 2 6\nmain: pid, thread 1 2\n');
    expect(code).toBe(0);
    // The first process's pool of 4 (the main thread and the spawned one among them), and one for the child.
    expect(tp.workers.length).toBe(5);
    expect(tp.alive()).toEqual([]);
  });

  it.each([1, 0])('a module without asyncify gets notsup (copy_memory=%i), with nothing written', async (copy) => {
    const bytes = await watBytes(`(module
      (import "wasix_32v1" "proc_fork" (func $fork (param i32 i32) (result i32)))
      (import "wasix_32v1" "proc_exit" (func $exit (param i32)))
      (import "env" "memory" (memory 1 1 shared))
      (func (export "_start")
        (i32.store (i32.const 64) (i32.const 0x5a5a5a5a))
        (call $exit (i32.add (i32.mul (call $fork (i32.const ${copy}) (i32.const 64)) (i32.const 2))
          (i32.eq (i32.load (i32.const 64)) (i32.const 0x5a5a5a5a))))))`);
    const tp = trackedPlatform();
    const code = await withPlatform(tp, () => new WASI({}).run(bytes));
    expect(code).toBe(Errno.notsup * 2 + 1);
    expect(tp.alive()).toEqual([]);
  });

  it('a fork from a signal callback is notsup: the host frames below the callback cannot be copied', async () => {
    const r = await fork(['in-handler']);
    expect(r.out).toBe(`fork in handler errno ${Errno.notsup}\n`);
    expect(r.code).toBe(0);
  });

  it('a misaligned pid pointer is inval, and copy_memory other than 0 or 1 is inval, before anything unwinds', async () => {
    const bytes = await watBytes(`(module
      (import "wasix_32v1" "proc_fork" (func $fork (param i32 i32) (result i32)))
      (import "wasix_32v1" "proc_exit" (func $exit (param i32)))
      (import "env" "memory" (memory 1 1 shared))
      (func (export "_start")
        (call $exit (i32.add (i32.mul (call $fork (i32.const 1) (i32.const 65)) (i32.const 100)) (call $fork (i32.const 2) (i32.const 64))))))`);
    expect(await new WASI({}).run(bytes)).toBe(Errno.inval * 100 + Errno.inval);
  });
});

