// A filesystem that answers asynchronously (FileSystem.asynchronous, blocking.ts `settle`), in Node:
// every step of a MemoryFileSystem put behind a timer. A threaded program's calls park until their
// step settles and are then answered, each step done once however often its call is retried; a
// program on the calling thread is refused before it runs. (DirectoryHandleFileSystem, the real one,
// is tested in Chromium: test/browser/opfs-*.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI, WasiStateError } from '../../src/index.js';
import { settle, settleNow } from '../../src/kernel/blocking.js';
import type { FileSystem } from '../../src/fs/types.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink } from './helpers.js';

const fileIo = () => readFileSync(join(REPO_ROOT, 'test/programs/threads/file-io.wasm'));

/** `inner` behind a timer: each call's step runs (and is counted) once the timer fires. */
function delayed(inner: FileSystem): { fs: FileSystem; done: Map<string, number> } {
  const done = new Map<string, number>();
  const later = <T>(name: string, run: () => T) =>
    settle(
      () =>
        new Promise<T>((resolve, reject) =>
          setTimeout(() => {
            done.set(name, (done.get(name) ?? 0) + 1);
            try {
              resolve(run());
            } catch (err) {
              reject(err as Error);
            }
          }, 1),
        ),
    );
  const fs = new Proxy(inner, {
    get(target, name: string) {
      if (name === 'asynchronous') return true;
      // Without readRange the handlers call read, which copies as the interface asks.
      if (name === 'readRange') return undefined;
      const f = (target as unknown as Record<string, unknown>)[name];
      if (typeof f !== 'function' || name === 'openRoot' || name === 'fileType') return typeof f === 'function' ? f.bind(target) : f;
      if (name === 'close') return (h: number) => settleNow(() => target.close(h));
      if (name === 'read' || name === 'pread') {
        // Into a buffer of its own, copied into the caller's when the call is answered.
        return (h: number, into: Uint8Array, offset?: bigint) => {
          const got = later(name, () => {
            const b = new Uint8Array(into.length);
            return b.subarray(0, name === 'read' ? target.read(h, b) : target.pread(h, b, offset!));
          });
          into.set(got);
          return got.length;
        };
      }
      return (...args: unknown[]) => later(name, () => (f as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { fs, done };
}

describe('an asynchronous filesystem under a threaded program', () => {
  it('writes and reads back 3 MiB, each step done once: one write per fd_write, one read per fd_read', async () => {
    const memory = new MemoryFileSystem();
    const { fs, done } = delayed(memory);
    const size = 3 * (1 << 20) + 12345;
    for (const command of ['write', 'check']) {
      const out = textSink();
      const code = await new WASI({ args: ['file-io', command, 'data.bin', String(size), '5'], preopens: { '/data': fs }, stdout: out.write }).run(fileIo());
      expect({ code, out: out.text() }).toEqual({ code: 0, out: `${command} ok ${size}\n` });
    }
    // 4 fd_writes of at most 1 MiB; 4 fd_reads (the last one short).
    expect(Object.fromEntries(done)).toEqual({ open: 2, write: 4, read: 4 });
    expect(memory.toFiles()['/data.bin']?.length).toBe(size);
  });

  it('answers a failed step with its errno', async () => {
    const { fs } = delayed(new MemoryFileSystem());
    const out = textSink();
    const code = await new WASI({ args: ['file-io', 'stat', '1'], preopens: { '/data': fs }, stdout: out.write }).run(fileIo());
    expect({ code, out: out.text() }).toEqual({ code: 1, out: 'path_filestat_get failed: errno 44\n' });
  });

  it('refuses a program on the calling thread before it runs, naming the preopen', async () => {
    const { fs, done } = delayed(new MemoryFileSystem({ '/f': 'x' }));
    const wasi = new WASI({ version: 'preview1', args: ['hello'], preopens: { '/slow': { fs, readOnly: true } } });
    const hello = readFileSync(join(REPO_ROOT, 'test/programs/hello.wasm'));
    const err = await wasi.run(hello).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WasiStateError);
    expect((err as WasiStateError).message).toMatch(/\/slow answers asynchronously.*worker/);
    expect(done.size).toBe(0);
  });
});
