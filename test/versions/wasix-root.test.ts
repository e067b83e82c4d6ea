// The fd layout and options of the root filesystem, through a WAT guest importing from wasix_32v1:
// `/` is fd 3 (fd_prestat_dir_name "/") with the preopens after it, as Wasmer lays them out; its listing
// holds /tmp, /bin and the mount points; getcwd starts at the `cwd` option; bad options throw
// WasiOptionError naming the option.
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI, WasiOptionError } from '../../src/index.js';
import { ALL_RIGHTS } from '../runtime/harness.js';
import { guest, wasixEnum } from './guest.js';

const E = wasixEnum('errno');
const W = 'wasix_32v1';

async function rootGuest(options: Parameters<typeof guest>[2] = {}) {
  const g = await guest(
    'wasix',
    [
      [W, 'fd_prestat_get', 'i32 i32'],
      [W, 'fd_prestat_dir_name', 'i32 i32 i32'],
      [W, 'fd_readdir', 'i32 i32 i32 i64 i32'],
      [W, 'path_open', 'i32 i32 i32 i32 i32 i64 i64 i32 i32'],
      [W, 'fd_read', 'i32 i32 i32 i32'],
      [W, 'getcwd', 'i32 i32'],
      [W, 'chdir', 'i32 i32'],
    ],
    options,
  );
  const call = (name: string, ...a: (number | bigint)[]) => g.call(W, name, ...a);
  const u32 = (at: number) => g.view().getUint32(at, true);
  /** The preopen name of `fd`, or its errno. */
  const prestat = (fd: number): string | number => {
    const e = call('fd_prestat_get', fd, 16);
    if (e) return e;
    const len = u32(20);
    expect(call('fd_prestat_dir_name', fd, 1024, len)).toBe(0);
    return Buffer.from(g.bytes(1024, len)).toString();
  };
  /** The names fd_readdir lists for the directory fd `fd`. */
  const ls = (fd: number): string[] => {
    expect(call('fd_readdir', fd, 4096, 4096, 0n, 16)).toBe(0);
    const buf = g.bytes(4096, u32(16));
    const names: string[] = [];
    for (let at = 0; at + 24 <= buf.length; ) {
      const len = new DataView(buf.buffer, buf.byteOffset + at + 16, 4).getUint32(0, true);
      names.push(Buffer.from(buf.subarray(at + 24, at + 24 + len)).toString());
      at += 24 + len;
    }
    return names;
  };
  const cat = (dir: number, path: string): string | number => {
    const len = g.put(512, path);
    const e = call('path_open', dir, 1, 512, len, 0, ALL_RIGHTS, ALL_RIGHTS, 0, 16);
    if (e) return e;
    g.view().setUint32(32, 8192, true);
    g.view().setUint32(36, 256, true);
    expect(call('fd_read', u32(16), 32, 1, 40)).toBe(0);
    return Buffer.from(g.bytes(8192, u32(40))).toString();
  };
  const getcwd = () => {
    g.view().setUint32(16, 256, true);
    expect(call('getcwd', 1024, 16)).toBe(0);
    return Buffer.from(g.bytes(1024, u32(16))).toString();
  };
  return { ...g, call, prestat, ls, cat, getcwd };
}

describe('the root filesystem of a WASIX program', () => {
  it('is fd 3, named /, its preopens after it; a fresh / holds tmp, bin and the mount points', async () => {
    const g = await rootGuest({ preopens: { '/work': new MemoryFileSystem({ '/w.txt': 'w' }), '/srv/data': new MemoryFileSystem({ '/d.txt': 'd' }) } });
    expect([g.prestat(3), g.prestat(4), g.prestat(5), g.prestat(6)]).toEqual(['/', '/work', '/srv/data', E.badf]);
    expect(g.ls(3).sort()).toEqual(['.', '..', 'bin', 'srv', 'tmp', 'work']);
    expect(g.cat(3, 'srv/data/d.txt')).toBe('d');
    expect(g.cat(3, 'srv/data/../../work/w.txt')).toBe('w');
    expect(g.cat(4, 'w.txt')).toBe('w');
    // A mount's own fd keeps its own sandbox: `..` at its top is refused, as for every preopen.
    expect(g.cat(4, '../work/w.txt')).toBe(E.perm);
    expect(g.getcwd()).toBe('/');
    expect(g.call('chdir', 512, g.put(512, '/srv'))).toBe(0);
    expect(g.getcwd()).toBe('/srv');
  });

  it('is the root option when given, and getcwd starts at the cwd option', async () => {
    const root = new MemoryFileSystem({ '/home/me/notes.txt': 'notes' });
    const g = await rootGuest({ root, cwd: '/home/me' });
    expect(g.prestat(3)).toBe('/');
    expect(g.ls(3).sort()).toEqual(['.', '..', 'home']);
    expect(g.getcwd()).toBe('/home/me');
    expect(g.cat(3, 'home/me/notes.txt')).toBe('notes');
  });

  it('reaches a program run with version auto that imports wasix_32v1, not one that does not', async () => {
    const wat = (await import('../runtime/harness.js')).wat;
    const wasix = await wat(`(module
      (import "wasix_32v1" "fd_prestat_get" (func $p (param i32 i32) (result i32)))
      (import "wasix_32v1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (call $p (i32.const 3) (i32.const 16)))))`);
    const preview1 = await wat(`(module
      (import "wasi_snapshot_preview1" "fd_prestat_get" (func $p (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (call $p (i32.const 3) (i32.const 16)))))`);
    expect(await new WASI().run(wasix)).toBe(0);
    expect(await new WASI().run(preview1)).toBe(E.badf);
    expect(await new WASI({ root: new MemoryFileSystem() }).run(preview1)).toBe(0);
  });

  it('refuses bad options with WasiOptionError naming them', () => {
    const option = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(WasiOptionError);
        return (err as WasiOptionError).option;
      }
      return undefined;
    };
    expect(option(() => new WASI({ cwd: 'relative' }))).toBe('options.cwd');
    expect(option(() => new WASI({ cwd: 7 as unknown as string }))).toBe('options.cwd');
    expect(option(() => new WASI({ root: 42 as unknown as string }))).toBe('options.root');
    expect(option(() => new WASI({ root: new MemoryFileSystem(), preopens: { '../up': new MemoryFileSystem() } }))).toBe("options.preopens['../up']");
  });
});
