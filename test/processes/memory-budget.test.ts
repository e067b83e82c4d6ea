// The maxMemory budget (issue 14): the memories of a run's processes together stay under it. A fork (which
// copies its parent's memory), a spawn or an exec past it gets nomem (48) and leaves nothing behind; a child
// that ends gives its share back. Programs of our own: test/programs/proc/fork.c and spawner.c.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Errno } from '../../generated/wasix/types.js';
import { WASI, WasiOptionError, type WasiOptions } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink } from '../threads/helpers.js';
import { memoryImportOf, withImportedSharedMemory } from '../../src/threads/module-imports.js';
import { trackedPlatform, withPlatform } from '../threads/tracked-platform.js';

const bytes = (name: string) => readFileSync(join(REPO_ROOT, 'test/programs/proc', `${name}.wasm`));
const commands = Object.fromEntries(['echo', 'status'].map((n) => [n, bytes(n)]));
const MiB = 2 ** 20;
/** The bytes a program's memory starts with: the initial pages it declares (imported, or its own). */
const initialBytes = (name: string) => (memoryImportOf(bytes(name)) ?? withImportedSharedMemory(bytes(name))!.limits).initial * 65536;

/** Runs `program ARGS...`; checks that every worker it made is gone once run() has resolved. */
async function run(program: string, args: string[], options: WasiOptions) {
  const tp = trackedPlatform();
  const out = textSink();
  const err = textSink();
  const code = await withPlatform(tp, () => new WASI({ args: [program, ...args], stdout: out.write, stderr: err.write, commands, ...options }).run(bytes(program)));
  expect(tp.alive()).toEqual([]);
  return { code, out: out.text(), err: err.text() };
}

describe('maxMemory', () => {
  it('a fork bomb under a budget far below maxProcesses gets nomem (fork.c exits 100 + errno), and no worker is left', async () => {
    // fork.wasm starts with 18 pages (1.125 MiB): 8 MiB holds the first process and 6 copies, not 64.
    const r = await run('fork', ['bomb'], { maxMemory: 8 * MiB });
    expect(r.code).toBe(100 + Errno.nomem);
    expect(r.out).toBe('');
  });

  it('a fork refused for memory holds no reference to the fds: a pipe its only writer closed reads as ended', async () => {
    // fork-adversarial.c's fork-fails: fork, close the write end, read without waiting (0 at the end).
    const r = await run('fork-adversarial', ['fork-fails'], { maxMemory: initialBytes('fork-adversarial') });
    expect(r).toEqual({ code: 0, out: `fork ${Errno.nomem} read 0\n`, err: '' });
  });

  it('a child that ends gives its memory back: 6 forks in turn of a process holding 8 MiB fit a budget of two such processes', async () => {
    const r = await run('fork', ['bench', '6', '8'], { maxMemory: 24 * MiB });
    expect(r).toEqual({ code: 0, out: 'go\ndone\n', err: '' });
  });

  it("the fork that would go past the budget is refused, counted at the parent's size now (after it grew)", async () => {
    const r = await run('fork', ['bench', '6', '8'], { maxMemory: 16 * MiB });
    expect(r).toEqual({ code: 100 + Errno.nomem, out: 'go\n', err: '' });
  });

  it("an exec past the budget is nomem and the old image goes on: vfork's child (which holds no memory of its own) execs echo", async () => {
    // The parent holds fork.wasm's initial memory; echo's must fit beside it. The child exits 50 + errno
    // when its exec fails, and its end of the pipe closes with it (the parent reads nothing, to the end).
    const fits = initialBytes('fork') + initialBytes('echo');
    expect(await run('fork', ['vfork'], { maxMemory: fits })).toEqual({ code: 0, out: 'parent 1: child 2 counter 2 read [vforked\n] child code 0\n', err: '' });
    expect(await run('fork', ['vfork'], { maxMemory: fits - 65536 })).toEqual({ code: 0, out: `parent 1: child 2 counter 2 read [] child code ${50 + Errno.nomem}\n`, err: '' });
  });

  it('a spawn storm under a budget gets nomem before maxProcesses, and every child spawned is reaped', async () => {
    const r = await run('spawner', ['storm'], { maxMemory: 2 * MiB });
    const m = /^spawned (\d+) then errno (\d+)\njoin errno 12\n$/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    expect(Number(m![2])).toBe(Errno.nomem);
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![1])).toBeLessThan(63);
    expect(r.code).toBe(0);
  });

  it.each([0, -1, 1.5, 65535, '8G', Number.POSITIVE_INFINITY])('maxMemory %s throws a WasiOptionError naming the option', (v) => {
    let caught: unknown;
    try {
      new WASI({ maxMemory: v as number });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WasiOptionError);
    expect((caught as WasiOptionError).option).toBe('options.maxMemory');
  });
});
