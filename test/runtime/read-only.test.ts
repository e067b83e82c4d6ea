import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MemoryFileSystem } from '../../src/index.js';
import { tempDir } from '../helpers/run-program.js';
import { boundWasi, ERRNO, OFLAGS, RIGHTS } from './harness.js';

// A read-only preopen answers every change with `rofs` (as a read-only mount does) and still reads.
const preopens = () => {
  const dir = tempDir('wasi-kit-ro-');
  onTestFinished(dir.cleanup);
  const host = dir.path;
  writeFileSync(join(host, 'a.txt'), 'host');
  const mem = new MemoryFileSystem({ '/a.txt': 'memory' });
  return { host, mem, options: { '/host': { path: host, readOnly: true }, '/mem': { fs: mem, readOnly: true } } };
};

describe.each([
  ['host path', 3],
  ['memory FileSystem', 4],
])('read-only preopen: %s', (_name, dir) => {
  it('reads, but creating, writing, truncating, mkdir, unlink, rename, symlink give rofs', async () => {
    const { host, mem, options } = preopens();
    const g = await boundWasi({ preopens: options });
    const [readErrno, fd] = g.open(dir, 'a.txt', { base: RIGHTS.fd_read! });
    expect(readErrno).toBe(ERRNO.success);
    g.view().setUint32(32, 4096, true);
    g.view().setUint32(36, 16, true);
    expect(g.call('fd_read', fd, 32, 1, 40)).toBe(ERRNO.success);
    expect(g.view().getUint32(40, true)).toBe(dir === 3 ? 4 : 6);

    expect(g.open(dir, 'new.txt', { oflags: OFLAGS.creat })[0]).toBe(ERRNO.rofs);
    expect(g.open(dir, 'a.txt', { oflags: OFLAGS.trunc })[0]).toBe(ERRNO.rofs);
    const n = g.put(1024, 'd');
    expect(g.call('path_create_directory', dir, 1024, n)).toBe(ERRNO.rofs);
    const a = g.put(1024, 'a.txt');
    expect(g.call('path_unlink_file', dir, 1024, a)).toBe(ERRNO.rofs);
    const b = g.put(2048, 'b.txt');
    expect(g.call('path_rename', dir, 1024, a, dir, 2048, b)).toBe(ERRNO.rofs);
    expect(g.call('path_symlink', 1024, a, dir, 2048, b)).toBe(ERRNO.rofs);

    expect(readdirSync(host).sort()).toEqual(['a.txt']);
    expect(readFileSync(join(host, 'a.txt'), 'utf8')).toBe('host');
    expect(Object.keys(mem.toFiles())).toEqual(['/a.txt']);
  });
});
