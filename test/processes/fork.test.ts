// proc_fork from C programs of our own (test/programs/proc/fork.c, built with Debian's clang + wasi-libc
// and made fork-capable by Binaryen's asyncify pass): memory copied, exit codes and wait, SIGCHLD, fds
// shared (a pipe), exec after fork, setjmp before fork and longjmp in the child, a fork bomb stopped by
// maxProcesses, and no worker left after any run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI, type WasiOptions } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink } from '../threads/helpers.js';
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
