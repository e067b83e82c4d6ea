// Programs on DirectoryHandleFileSystem over OPFS in Chromium: what one run writes is there, byte for
// byte, after a reload; a run stopped in the middle of a 50 MiB write leaves the file as it was; a
// guest on the page's own thread is refused. The programs are threaded (test/programs/threads/
// file-io.c): only a guest waiting in a worker can use a filesystem that answers asynchronously.
import { describe, expect, it } from 'vitest';
import { useDemo, type PageWindow } from './chromium.js';

const demo = useDemo();

/** pattern() of file-io.c, computed here independently of the guest. */
function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = ((i * 31) ^ (i >>> 8) ^ (i >>> 16) ^ seed) & 0xff;
  return out;
}

interface Run {
  exitCode?: number;
  stdout: string;
  error?: string;
}

/** Starts file-io with OPFS directory `dir` preopened at /data; resolves when it ends. */
function runFileIo(dir: string, args: string[]): Promise<Run> {
  return demo().page.evaluate(
    async ({ dir, args }) => {
      const { WASI, DirectoryHandleFileSystem } = (window as unknown as PageWindow).wasiKit;
      const w = window as unknown as { out: string };
      w.out = '';
      try {
        const handle = await (await navigator.storage.getDirectory()).getDirectoryHandle(dir, { create: true });
        const wasi = new WASI({ args: ['file-io', ...args], preopens: { '/data': new DirectoryHandleFileSystem(handle) }, stdout: (b) => void (w.out += new TextDecoder().decode(b)) });
        const bytes = await (await fetch('/programs/threads/file-io.wasm')).arrayBuffer();
        return { exitCode: await wasi.run(bytes), stdout: w.out };
      } catch (err) {
        return { stdout: w.out, error: `${(err as Error).name}: ${(err as Error).message}` };
      }
    },
    { dir, args },
  );
}

/** The names in OPFS directory `dir` and the bytes of `name` there, read by page JavaScript. */
function readOpfs(dir: string, name: string): Promise<{ names: string[]; bytes: number[] | undefined; size: number | undefined }> {
  return demo().page.evaluate(
    async ({ dir, name }) => {
      const d = await (await navigator.storage.getDirectory()).getDirectoryHandle(dir, { create: true });
      const names: string[] = [];
      for await (const [n] of (d as unknown as { entries(): AsyncIterable<[string]> }).entries()) names.push(n);
      if (!names.includes(name)) return { names, bytes: undefined, size: undefined };
      const file = await (await d.getFileHandle(name)).getFile();
      // Large files: the size, and every 4096th byte, cross the page boundary.
      const b = new Uint8Array(await file.arrayBuffer());
      return { names: names.sort(), size: file.size, bytes: file.size > 1 << 20 ? [...b.filter((_x, i) => i % 4096 === 0)] : [...b] };
    },
    { dir, name },
  );
}

async function reload(): Promise<void> {
  await demo().page.reload();
  await demo().page.waitForSelector('body[data-ready]');
  await demo().page.addScriptTag({ type: 'module', content: "import * as wasiKit from '/wasi-kit.js'; window.wasiKit = wasiKit;" });
  await demo().page.waitForFunction(() => 'wasiKit' in window);
}

async function clear(dir: string): Promise<void> {
  await demo().page.evaluate(async (dir) => {
    await (await navigator.storage.getDirectory()).removeEntry(dir, { recursive: true }).catch(() => {});
  }, dir);
}

describe('DirectoryHandleFileSystem over OPFS, used by programs', () => {
  it('what a program writes is there after a reload, byte for byte, for a second program and for page JavaScript', async () => {
    await clear('persist');
    const size = 3 * (1 << 20) + 12345;
    expect(await runFileIo('persist', ['write', 'data.bin', String(size), '7'])).toEqual({ exitCode: 0, stdout: `write ok ${size}\n` });
    await reload();
    expect(await runFileIo('persist', ['check', 'data.bin', String(size), '7'])).toEqual({ exitCode: 0, stdout: `check ok ${size}\n` });
    // A wrong expectation fails, so the check above could have.
    expect((await runFileIo('persist', ['check', 'data.bin', String(size), '8'])).exitCode).toBe(1);
    const seen = await readOpfs('persist', 'data.bin');
    expect(seen.size).toBe(size);
    expect(seen.bytes).toEqual([...pattern(size, 7).filter((_x, i) => i % 4096 === 0)]);
  });

  it('stat of many files, and files made by one run listed by the next', async () => {
    await clear('many');
    expect(await runFileIo('many', ['touch', '200'])).toEqual({ exitCode: 0, stdout: 'touch ok 200\n' });
    expect(await runFileIo('many', ['stat', '200'])).toEqual({ exitCode: 0, stdout: 'stat ok 200\n' });
    expect((await runFileIo('many', ['stat', '201'])).stdout).toBe('path_filestat_get failed: errno 44\n');
    expect((await readOpfs('many', 'f0')).names.length).toBe(200);
    // A name the API refuses: inval (28), nothing made.
    expect(await runFileIo('many', ['write', 'back\\slash', '1', '1'])).toEqual({ exitCode: 1, stdout: 'path_open failed: errno 28\n' });
    expect((await readOpfs('many', 'f0')).names.length).toBe(200);
  });

  it('a run stopped in the middle of a 50 MiB write leaves the file as it was (the writable stream was never closed)', async () => {
    await clear('big');
    expect(await runFileIo('big', ['write', 'big.bin', '1000', '3'])).toEqual({ exitCode: 0, stdout: 'write ok 1000\n' });
    const before = await readOpfs('big', 'big.bin');
    expect(before.bytes).toEqual([...pattern(1000, 3)]);
    // Not awaited: the page is reloaded once the program has said it is about to write.
    void runFileIo('big', ['big', 'big.bin', '50']).catch(() => {});
    await demo().page.waitForFunction(() => (window as unknown as { out?: string }).out === 'writing\n', undefined, { polling: 1 });
    await reload();
    expect(await readOpfs('big', 'big.bin')).toEqual(before);
    // Run to the end, the same write leaves it complete.
    expect(await runFileIo('big', ['big', 'big.bin', '50'])).toEqual({ exitCode: 0, stdout: `writing\nbig ok ${50 << 20}\n` });
    const after = await readOpfs('big', 'big.bin');
    expect(after.names).toEqual(['big.bin']);
    expect(after.size).toBe(50 << 20);
    expect(after.bytes!.every((b) => b === 66)).toBe(true);
  }, 60_000);

  it('a folder granted only reading (as showDirectoryPicker({ mode: "read" }) gives) answers changes with rofs, and reads', async () => {
    await clear('granted-read');
    expect(await runFileIo('granted-read', ['write', 'data.bin', '100', '2'])).toEqual({ exitCode: 0, stdout: 'write ok 100\n' });
    const r = await demo().page.evaluate(async () => {
      const { WASI, DirectoryHandleFileSystem } = (window as unknown as PageWindow).wasiKit;
      const opfs = await (await navigator.storage.getDirectory()).getDirectoryHandle('granted-read');
      // The picker's handle for a folder opened for reading: the same type, whose permission is read.
      const picked = {
        kind: 'directory',
        name: opfs.name,
        getDirectoryHandle: (n: string, o?: FileSystemGetDirectoryOptions) => opfs.getDirectoryHandle(n, o),
        getFileHandle: (n: string, o?: FileSystemGetFileOptions) => opfs.getFileHandle(n, o),
        removeEntry: (n: string, o?: FileSystemRemoveOptions) => opfs.removeEntry(n, o),
        entries: () => (opfs as unknown as { entries(): AsyncIterable<unknown> }).entries(),
        queryPermission: async ({ mode }: { mode: string }) => (mode === 'read' ? 'granted' : 'prompt'),
      } as unknown as FileSystemDirectoryHandle;
      const bytes = await (await fetch('/programs/threads/file-io.wasm')).arrayBuffer();
      const run = async (args: string[]) => {
        let out = '';
        const wasi = new WASI({ args: ['file-io', ...args], preopens: { '/data': new DirectoryHandleFileSystem(picked) }, stdout: (b) => void (out += new TextDecoder().decode(b)) });
        return { exitCode: await wasi.run(bytes), stdout: out };
      };
      return { write: await run(['write', 'other.bin', '10', '1']), touch: await run(['touch', '1']), check: await run(['check', 'data.bin', '100', '2']) };
    });
    // 69: rofs in preview1.
    expect(r).toEqual({
      write: { exitCode: 1, stdout: 'path_open failed: errno 69\n' },
      touch: { exitCode: 1, stdout: 'path_open failed: errno 69\n' },
      check: { exitCode: 0, stdout: 'check ok 100\n' },
    });
    expect((await readOpfs('granted-read', 'data.bin')).names).toEqual(['data.bin']);
  });

  it("refuses a guest on the page's own thread with a WasiStateError that says why", async () => {
    const r = await demo().page.evaluate(async () => {
      const { WASI, DirectoryHandleFileSystem } = (window as unknown as PageWindow).wasiKit;
      const handle = await navigator.storage.getDirectory();
      try {
        const wasi = new WASI({ version: 'preview1', args: ['hello'], preopens: { '/data': new DirectoryHandleFileSystem(handle) }, stdout: () => {} });
        await wasi.run(await (await fetch('/programs/hello.wasm')).arrayBuffer());
        return 'ran';
      } catch (err) {
        return `${(err as Error).name}: ${(err as Error).message}`;
      }
    });
    expect(r).toMatch(/^WasiStateError: .*\/data answers asynchronously.*worker/);
  });
});
