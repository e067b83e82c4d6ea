// Adversarial proc_fork cases (test/programs/proc/fork-adversarial.c, asyncify'd): a fork after a vfork's
// child was refused one resumes its own image, fork and vfork past maxProcesses leave no fd behind, and a
// vfork's child whose parent is killed does not outlive its parent's thread, and one that traps ends alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Errno } from '../../generated/wasix/types.js';
import { WASI, type WasiOptions } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink, watBytes } from '../threads/helpers.js';
import { trackedPlatform, withPlatform } from '../threads/tracked-platform.js';

const program = readFileSync(join(REPO_ROOT, 'test/programs/proc/fork-adversarial.wasm'));

/** Runs `fork-adversarial MODE`; checks that every worker it made is gone once run() has resolved. */
async function run(mode: string, options: WasiOptions = {}) {
  const tp = trackedPlatform();
  const out = textSink();
  const code = await withPlatform(tp, () => new WASI({ args: ['fork-adversarial', mode], stdout: out.write, ...options }).run(program));
  expect(tp.alive()).toEqual([]);
  return { code, out: out.text() };
}

describe('proc_fork, adversarial', () => {
  it("a fork after a vfork's child was refused a fork resumes its own frames, not the refused fork's image", async () => {
    const r = await run('stale-image');
    expect(r.out).toBe([0, 1, 2, 3].map((i) => `round ${i}: vfork child 5, fork child ${40 + i}\n`).join(''));
    expect(r.code).toBe(0);
  });

  it('fork and vfork past maxProcesses are again, and hold no reference to the fds: a pipe its only writer closed reads as ended', async () => {
    const r = await run('again-fds', { maxProcesses: 1 });
    expect(r.out).toBe(`fork ${Errno.again} vfork ${Errno.again} read 0\n`);
  });

  it("a vfork's child ends with its parent when the parent is killed: once the parent is reaped, the child is gone and its fds closed", async () => {
    const r = await run('vfork-killed');
    expect(r.out).toBe('B -9, C alive 0, read 0\n');
  });

  it("a vfork's child that traps ends alone (SIGABRT, as a trap ends a process): its parent goes on from its vfork and reaps it, its fds are closed", async () => {
    const r = await run('vfork-trap');
    // As on Linux, where a fault in a vfork child kills the child and the parent returns from vfork.
    expect(r.out).toBe('C -6, B 4, C alive 0, read 0\n');
  });

  it("a vfork's child can be killed by another process: it ends as killed, and its parent goes on from its vfork and reaps it", async () => {
    const r = await run('kill-vfork-child');
    // B exits 20 once its wait for C says SIGKILL.
    expect(r.out).toBe('kill 0, B 20\n');
  }, 20_000);

  it('a stack pointer above its stack or too low to unwind into is notsup for fork and vfork, with nothing written below it', async () => {
    // The asyncify exports are the guest's own (forged: they do nothing); the host must refuse before calling them.
    const bytes = await watBytes(`(module
      (import "wasix_32v1" "proc_fork" (func $fork (param i32 i32) (result i32)))
      (import "wasix_32v1" "proc_exit" (func $exit (param i32)))
      (import "env" "memory" (memory 2 2 shared))
      (global $sp (export "__stack_pointer") (mut i32) (i32.const 65536))
      (func (export "asyncify_start_unwind") (param i32) unreachable)
      (func (export "asyncify_stop_unwind") unreachable)
      (func (export "asyncify_start_rewind") (param i32) unreachable)
      (func (export "asyncify_stop_rewind") unreachable)
      (func (export "_start") (local $a i32) (local $b i32)
        (i32.store (i32.const 0) (i32.const 0x5a5a5a5a))
        (i32.store (i32.const 4) (i32.const 0x5a5a5a5a))
        (global.set $sp (i32.const 0xfffffff0))
        (local.set $a (call $fork (i32.const 1) (i32.const 64)))
        (global.set $sp (i32.const 8))
        (local.set $b (call $fork (i32.const 0) (i32.const 64)))
        (call $exit (i32.add (i32.add (i32.mul (local.get $a) (i32.const 1000)) (i32.mul (local.get $b) (i32.const 10)))
          (i32.and (i32.eq (i32.load (i32.const 0)) (i32.const 0x5a5a5a5a)) (i32.eq (i32.load (i32.const 4)) (i32.const 0x5a5a5a5a)))))))`);
    const tp = trackedPlatform();
    const code = await withPlatform(tp, () => new WASI({}).run(bytes));
    expect(code).toBe(Errno.notsup * 1000 + Errno.notsup * 10 + 1);
    expect(tp.alive()).toEqual([]);
  });

  it("a fork whose memory the host cannot allocate is nomem for the guest, and leaves no child holding the parent's fds", async () => {
    // The host's allocator refuses every shared memory after the first process's (as V8 does when it cannot reserve one).
    const Memory = WebAssembly.Memory;
    let made = 0;
    const Refusing = function (this: unknown, d: WebAssembly.MemoryDescriptor) {
      if (d.shared && made++ > 0) throw new RangeError('WebAssembly.Memory(): could not allocate memory');
      return new Memory(d);
    } as unknown as typeof WebAssembly.Memory;
    Refusing.prototype = Memory.prototype;
    WebAssembly.Memory = Refusing;
    try {
      const r = await run('fork-fails');
      expect(r.out).toBe(`fork ${Errno.nomem} read 0\n`);
      expect(r.code).toBe(0);
    } finally {
      WebAssembly.Memory = Memory;
    }
  });
});
