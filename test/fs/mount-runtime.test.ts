// WASI.mount: a filesystem mounted in the guest's root filesystem by the embedder, before the run or
// while it runs (the terminal demo's folder picker), seen through `/` from the next call on; and the
// typed errors for a bad mount.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI, WasiOptionError, WasiStateError } from '../../src/index.js';
import { MountFileSystem } from '../../src/fs/mount-fs.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink } from '../threads/helpers.js';

const ls = () => readFileSync(join(REPO_ROOT, 'test/programs/proc/ls.wasm'));

describe('WASI.mount', () => {
  it('a filesystem mounted before the run is listed and read through / (ls)', async () => {
    const out = textSink();
    const wasi = new WASI({ args: ['ls', '-l', '/mnt/pics', '/'], root: new MemoryFileSystem({ '/home/a': 'x' }), stdout: out.write });
    wasi.mount('/mnt/pics', new MemoryFileSystem({ '/cat.png': new Uint8Array(1234), '/dir/x': '' }));
    expect(await wasi.run(ls())).toBe(0);
    expect(out.text()).toBe(['/mnt/pics:', '- ' + '1234'.padStart(10) + ' cat.png', 'd ' + '0'.padStart(10) + ' dir', '', '/:', 'd ' + '0'.padStart(10) + ' home', 'd ' + '0'.padStart(10) + ' mnt', ''].join('\n'));
  });

  it('read-only when asked: a file cannot be written through the mount (rofs), the one beside it can', async () => {
    const run = async (path: string) => {
      const err = textSink();
      const target = new MemoryFileSystem({ '/f': 'x' });
      const wasi = new WASI({ args: ['write-file', path, 'hi'], root: new MemoryFileSystem(), stderr: err.write, stdout: () => {} });
      wasi.mount('/mnt/ro', { fs: target, readOnly: true });
      wasi.mount('/mnt/rw', target);
      return { code: await wasi.run(readFileSync(join(REPO_ROOT, 'test/programs/write-file.wasm'))), err: err.text(), f: new TextDecoder().decode(target.toFiles()['/f']) };
    };
    expect(await run('/mnt/ro/f')).toEqual({ code: 1, err: 'write-file: /mnt/ro/f: Read-only file system\n', f: 'x' });
    expect(await run('/mnt/rw/f')).toEqual({ code: 0, err: '', f: 'hi\n' });
  });

  it('refuses a bad mount point or target with a WasiOptionError naming it, and a guest without / with a WasiStateError', () => {
    const wasi = new WASI({ root: new MemoryFileSystem() });
    for (const p of ['relative', '/', '/a/../b', '']) expect(() => wasi.mount(p, new MemoryFileSystem()), p).toThrow(expect.objectContaining({ name: 'WasiOptionError', option: 'guestPath' }));
    expect(() => wasi.mount('/mnt/x', {} as MemoryFileSystem)).toThrow(WasiOptionError);
    expect(() => wasi.mount('/mnt/x', {} as MemoryFileSystem)).toThrow(/"target"/);
    const plain = new WASI({ version: 'preview1' });
    expect(() => plain.mount('/mnt/x', new MemoryFileSystem())).toThrow(expect.objectContaining({ code: 'ERR_WASI_NO_ROOT' }));
    expect(() => plain.mount('/mnt/x', new MemoryFileSystem())).toThrow(WasiStateError);
  });
});

describe('MountFileSystem.mount while handles are open', () => {
  it('a directory handle of / opened before the mount sees the new filesystem; the mount point is busy', () => {
    const root = new MemoryFileSystem({ '/mnt/.keep': '' });
    const t = new MountFileSystem(root, []);
    const slash = t.openRoot();
    const before = t.open(slash, 'mnt', { read: true, directory: true });
    t.mount('/mnt/usb', new MemoryFileSystem({ '/song.txt': 'la la' }));
    const h = t.open(slash, 'mnt/usb/song.txt', { read: true });
    const buf = new Uint8Array(16);
    expect(new TextDecoder().decode(buf.subarray(0, t.read(h, buf)))).toBe('la la');
    expect(t.readdir(before).map((e) => e.name).sort()).toEqual(['.', '..', '.keep', 'usb']);
    expect(() => t.rmdir(slash, 'mnt/usb')).toThrow(expect.objectContaining({ errno: 'busy' }));
  });
});
