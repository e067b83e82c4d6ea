// Processes from C programs of our own (test/programs/proc, built with Debian's clang + wasi-libc):
// spawn with file actions, wait in every form, kill, exit codes, exec keeping fds without
// close-on-exec, a spawn storm stopped by maxProcesses, a 3-stage pipeline, and no worker left after.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI, type WasiOptions } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink } from '../threads/helpers.js';
import { trackedPlatform, withPlatform } from '../threads/tracked-platform.js';
import { genDigest } from './helpers.js';

const bytes = (name: string) => readFileSync(join(REPO_ROOT, 'test/programs/proc', `${name}.wasm`));
const commands = Object.fromEntries(['echo', 'cat', 'wc', 'gen', 'status', 'bytes'].map((n) => [n, bytes(n)]));

async function spawner(args: string[], options: WasiOptions = {}) {
  const out = textSink();
  const err = textSink();
  const code = await new WASI({ args: ['spawner', ...args], stdout: out.write, stderr: err.write, commands, ...options }).run(bytes('spawner'));
  return { code, out: out.text(), err: err.text() };
}

describe('processes', () => {
  it('proc_id and proc_parent: the first process is 1 with no parent; a child is numbered after it, its parent 1', async () => {
    const r = await spawner(['ids']);
    expect(r).toEqual({ code: 0, out: 'me 1 parent 0 child after parent 1 err 0\njoin given code 0\n', err: '' });
  });

  it('a child spawned with its stdout dup2ed onto a pipe is captured through that pipe ($(...))', async () => {
    const r = await spawner(['capture']);
    expect(r).toEqual({ code: 0, out: 'spawn 0 captured [hello world\n]\njoin given code 0\n', err: '' });
  });

  it('wait for a given child, for any, nohang while it runs, and child once there are none', async () => {
    const r = await spawner(['wait']);
    expect(r.out).toBe(['join given code 3', 'any was b 1 code 5', 'join errno 12', 'join nothing', 'join given code 0', 'join errno 12', ''].join('\n'));
    expect(r.code).toBe(0);
  });

  it('proc_signal ends a blocked child with the signal (no handler), and srch once it is reaped', async () => {
    const r = await spawner(['kill']);
    expect(r.out).toBe('signal 0\njoin given signal 15\nsignal again 71\n');
  });

  it('the parent gets SIGCHLD when its child ends, through its signal handler', async () => {
    const r = await spawner(['sigchld']);
    expect(r.out).toBe('join given code 0\nsignals 1 first 17\n');
  });

  it('a spawn storm is stopped by maxProcesses with again, and every child is reaped', async () => {
    const r = await spawner(['storm'], { maxProcesses: 8 });
    expect(r.out).toBe('spawned 7 then errno 6\njoin errno 12\n');
    expect(r.code).toBe(0);
  });

  it('exec replaces the image in the same process: fds without close-on-exec stay open, the others close', async () => {
    const r = await spawner(['exec']);
    // fd 3 is `/` (a WASIX program's root), so the two fds are 4 and 5; the new image has `/` and 4.
    expect(r.out).toBe('before exec: 4 5\nopen: 3 4\n');
    expect(r.code).toBe(0);
  });

  it('missing programs are noent, a file that is not wasm noexec; a .wasm in the guest filesystem runs', async () => {
    const data = new MemoryFileSystem({ '/notwasm.wasm': 'not a module', '/status.wasm': bytes('status') });
    const r = await spawner(['missing'], { preopens: { '/data': data } });
    expect(r.out).toBe('missing 44\nnot wasm 45\nexec missing 44\nfrom fs 0\njoin given code 7\n');
  });

  it('finds a .wasm anywhere in the root filesystem, not only under a preopen', async () => {
    const root = new MemoryFileSystem({ '/data/notwasm.wasm': 'not a module', '/data/status.wasm': bytes('status') });
    const r = await spawner(['missing'], { root });
    expect(r.out).toBe('missing 44\nnot wasm 45\nexec missing 44\nfrom fs 0\njoin given code 7\n');
  });

  it('a 3-stage pipeline (gen | cat | wc) moves 10 MiB byte-exactly', async () => {
    const n = 10 * 1024 * 1024;
    const r = await spawner(['pipeline', String(n)]);
    expect(r.out.split('\n').filter((l) => !l.startsWith('join'))).toEqual([genDigest(n).trimEnd(), '']);
    expect(r.out.match(/join any code 0/g)).toHaveLength(3);
    expect(r.code).toBe(0);
  }, 120_000);

  it('the benchmarks\' modes: spawn-and-wait rounds, and bytes out N | bytes in counting every byte', async () => {
    expect(await spawner(['spawn-bench', '3'])).toEqual({ code: 0, out: 'go\ndone\n', err: '' });
    const r = await spawner(['pipe-bench', String(3 * 65536 + 5)]);
    expect(r.out.split('\n').sort()).toEqual(['', '196613', 'done', 'go', 'join given code 0', 'join given code 0']);
    expect(r.code).toBe(0);
  });

  it('WASI.kill ends a process tree blocked in a wait: 128 + the signal, no worker left', async () => {
    const tp = trackedPlatform();
    const out = textSink();
    const code = await withPlatform(tp, async () => {
      const wasi = new WASI({ args: ['spawner', 'hold'], commands, stdout: (b) => {
        out.write(b);
        if (out.text() === 'ready\n') setTimeout(() => expect(wasi.kill('SIGINT')).toBe(true), 10);
      } });
      const done = wasi.run(bytes('spawner'));
      const c = await done;
      expect(wasi.kill('SIGINT')).toBe(false);
      return c;
    });
    expect(code).toBe(130);
    expect(tp.alive()).toEqual([]);
  });

  it('no worker of any process is left once run() has resolved', async () => {
    const tp = trackedPlatform();
    const r = await withPlatform(tp, () => spawner(['wait']));
    expect(r.code).toBe(0);
    expect(tp.workers.length).toBeGreaterThanOrEqual(4);
    expect(tp.alive()).toEqual([]);
  });
});
