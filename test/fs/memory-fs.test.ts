import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryFileSystemFromHostDirectory } from '../../src/fs/memory-fs-from-host.js';
import '../helpers/memfs.js';
import { MemoryFileSystem } from '../../src/fs/memory-fs.js';
import { expectErrno, makeTempDir, readFile, str, text, writeFile, preadN } from './helpers.js';

describe('MemoryFileSystem', () => {
  it('is seeded from paths and gives the same shape back from toFiles', () => {
    const memory = new MemoryFileSystem({ '/a.txt': 'hi', '/dir/b.bin': new Uint8Array([1, 2]), 'dir/sub/c': '' });
    const root = memory.openRoot();
    expect(readFile(memory, root, 'a.txt')).toBe('hi');
    expect(memory.stat(root, 'dir/sub').filetype).toBe('directory');
    memory.mkdir(root, 'empty');
    memory.symlink('a.txt', root, 'link');
    expect(memory.toFiles()).toEqual({
      '/a.txt': text('hi'),
      '/dir/b.bin': new Uint8Array([1, 2]),
      '/dir/sub/c': new Uint8Array(0),
    });
    expect(() => new MemoryFileSystem({ '/x': 'a', '/x/y': 'b' })).toThrow(expect.objectContaining({ errno: 'notdir' }));
    expect(() => new MemoryFileSystem({ '/../x': 'a' })).toThrow(expect.objectContaining({ errno: 'inval' }));
  });

  it('returns copies: later writes do not change bytes already read or listed', () => {
    const memory = new MemoryFileSystem({ '/f': 'abc' });
    const root = memory.openRoot();
    const h = memory.open(root, 'f', { read: true, write: true });
    const before = preadN(memory, h, 3, 0n);
    const files = memory.toFiles();
    memory.pwrite(h, text('XYZ'), 0n);
    expect(str(before)).toBe('abc');
    expect(str(files['/f']!)).toBe('abc');
  });

  it('keeps timestamps to the nanosecond from its clock', () => {
    let clock = 1_700_000_000_123_456_789n;
    const memory = new MemoryFileSystem({}, { now: () => clock });
    const root = memory.openRoot();
    writeFile(memory, root, 'f', 'x');
    expect(memory.stat(root, 'f').mtim).toBe(1_700_000_000_123_456_789n);
    clock += 7n;
    const h = memory.open(root, 'f', { write: true });
    memory.write(h, text('y'));
    const st = memory.fstat(h);
    expect(st.mtim).toBe(1_700_000_000_123_456_796n);
    expect(st.ctim).toBe(1_700_000_000_123_456_796n);
    expect(st.atim).toBe(1_700_000_000_123_456_789n);
    clock += 1n;
    memory.fsetTimes(h, { atim: 'now', mtim: 5n });
    expect(memory.fstat(h)).toMatchObject({ atim: 1_700_000_000_123_456_797n, mtim: 5n, ctim: 1_700_000_000_123_456_797n });
  });

  it('enforces maxBytes with nospc and gets the bytes back when a file dies', () => {
    const memory = new MemoryFileSystem({ '/seed': '12345' }, { maxBytes: 10 });
    const root = memory.openRoot();
    expect(memory.usedBytes).toBe(5);
    const h = memory.open(root, 'f', { write: true, create: true });
    expect(memory.write(h, text('abcde'))).toBe(5);
    expectErrno(() => memory.write(h, text('x')), 'nospc');
    expect(memory.fstat(h).size).toBe(5n);
    expectErrno(() => memory.ftruncate(h, 11n), 'nospc');
    expectErrno(() => new MemoryFileSystem({ '/big': 'x'.repeat(11) }, { maxBytes: 10 }), 'nospc');
    // Overwriting in place needs no room.
    memory.pwrite(h, text('ABCDE'), 0n);
    memory.unlink(root, 'seed');
    expect(memory.usedBytes).toBe(5);
    // An unlinked but open file still holds its bytes until closed.
    memory.unlink(root, 'f');
    expect(memory.usedBytes).toBe(5);
    memory.close(h);
    expect(memory.usedBytes).toBe(0);
    writeFile(memory, root, 'g', 'x'.repeat(10));
    writeFile(memory, root, 'g', 'y'.repeat(10));
    expect(memory.usedBytes).toBe(10);
  });

  it('refuses to grow a file past its size limit with fbig', () => {
    const memory = new MemoryFileSystem();
    const root = memory.openRoot();
    const h = memory.open(root, 'f', { write: true, create: true });
    expectErrno(() => memory.pwrite(h, text('x'), 2n ** 40n), 'fbig');
    expectErrno(() => memory.ftruncate(h, 2n ** 40n), 'fbig');
  });

  it('dir() makes a preopen of a subdirectory that shares the tree but cannot leave it', () => {
    const memory = new MemoryFileSystem({ '/top.txt': 'top', '/data/in.txt': 'in' });
    const data = memory.dir('data');
    const root = data.openRoot();
    expect(readFile(data, root, 'in.txt')).toBe('in');
    expectErrno(() => data.stat(root, '../top.txt'), 'perm');
    writeFile(data, root, 'new.txt', 'made in the view');
    expect(readFile(memory, memory.openRoot(), 'data/new.txt')).toBe('made in the view');
    expect(data.toFiles()).toEqual({ '/in.txt': text('in'), '/new.txt': text('made in the view') });
    // `..` of the view's root is the view's root.
    const entries = data.readdir(root);
    expect(entries[1]!.ino).toBe(entries[0]!.ino);
    expect(data.fstat(root).dev).toBe(memory.fstat(memory.openRoot()).dev);
    expectErrno(() => memory.dir('top.txt'), 'notdir');
    expectErrno(() => memory.dir('nope'), 'noent');
    const readOnly = memory.dir('data', { readOnly: true });
    expect(readFile(readOnly, readOnly.openRoot(), 'in.txt')).toBe('in');
    expectErrno(() => readOnly.mkdir(readOnly.openRoot(), 'x'), 'rofs');
  });

  it('gives separate filesystems separate devices', () => {
    const a = new MemoryFileSystem();
    const b = new MemoryFileSystem();
    expect(a.fstat(a.openRoot()).dev).not.toBe(b.fstat(b.openRoot()).dev);
  });

  it('keeps the bytes memfs itself reads through gaps, overwrites, cuts and growth in and out of place', () => {
    const MiB = 1 << 20;
    const memory = new MemoryFileSystem();
    const root = memory.openRoot();
    const h = memory.open(root, 'f', { read: true, write: true, create: true });
    const model = new Uint8Array(24 * MiB);
    let size = 0;
    const pwrite = (at: number, length: number, fill: number) => {
      memory.pwrite(h, new Uint8Array(length).fill(fill), BigInt(at));
      model.fill(fill, at, at + length);
      size = Math.max(size, at + length);
    };
    const cut = (to: number) => {
      memory.ftruncate(h, BigInt(to));
      model.fill(0, to, Math.max(size, to));
      size = to;
    };
    const check = () => {
      expect(memory.fstat(h).size).toBe(BigInt(size));
      expect(Buffer.compare(memory.volume.readFileSync('/f') as Buffer, model.subarray(0, size))).toBe(0);
      expect(Buffer.compare(preadN(memory, h, size, 0n), model.subarray(0, size))).toBe(0);
    };
    pwrite(0, 3, 1);
    pwrite(100, 10, 2); // a gap reads as zeros
    pwrite(105, 20, 3); // over the end
    check();
    cut(102);
    pwrite(110, 5, 4); // bytes cut off come back as zeros, not as they were
    check();
    pwrite(MiB - 10, 10, 5); // to the size from which buffers are resizable (with room for 16 MiB)
    check();
    pwrite(7 * MiB, MiB, 6); // grows in place
    cut(2 * MiB);
    pwrite(5 * MiB, 1, 7);
    cut(6 * MiB);
    check();
    pwrite(17 * MiB, 3 * MiB, 8); // past the reserved room: the bytes move
    check();
    memory.close(h);
  });

  // How fast a file grows (geometric, linear copying) is a benchmark figure, not a test: write-file-256
  // on wasi-kit-memory in bench/RESULTS.md. Here only what a program sees of a long append.
  it('appends 32 MiB in 64 KiB writes: every byte there, counted in usedBytes until unlinked', () => {
    const memory = new MemoryFileSystem();
    const root = memory.openRoot();
    const h = memory.open(root, 'big', { read: true, write: true, create: true, append: true });
    const total = 32 * 1024 * 1024;
    const chunk = new Uint8Array(64 * 1024);
    for (let written = 0, i = 0; written < total; written += chunk.length, i++) memory.write(h, chunk.fill(i & 0xff));
    expect(memory.fstat(h).size).toBe(BigInt(total));
    expect(memory.usedBytes).toBe(total);
    expect(preadN(memory, h, 2, BigInt(64 * 1024 - 1))).toEqual(new Uint8Array([0, 1]));
    expect(preadN(memory, h, 1, BigInt(total - 1))).toEqual(new Uint8Array([(total / chunk.length - 1) & 0xff]));
    memory.close(h);
    memory.unlink(root, 'big');
    expect(memory.usedBytes).toBe(0);
  });

  it('never imports node: modules, directly or through its own imports', () => {
    const dir = path.resolve(import.meta.dirname, '../../src/fs');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      const specifiers = [...source.matchAll(/(?:import|export)[^'"]*from\s+'([^']+)'/g)].map((m) => m[1]!);
      expect(specifiers.length > 0 || file !== 'memory-fs.ts').toBe(true);
      for (const spec of specifiers) {
        expect([file, spec.startsWith('node:') || spec.includes('host')]).toEqual([file, false]);
        if (spec.startsWith('./')) visit(spec.slice(2).replace(/\.js$/, '.ts'));
      }
    };
    visit('memory-fs.ts');
    expect(seen.size).toBeGreaterThan(3);
  });
});

describe('memoryFileSystemFromHostDirectory', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('copies files, directories and symlinks', () => {
    dir = makeTempDir();
    fs.mkdirSync(path.join(dir, 'sub/empty'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a.txt'), 'alpha');
    fs.writeFileSync(path.join(dir, 'sub/b.bin'), Buffer.from([0, 255]));
    fs.symlinkSync('../a.txt', path.join(dir, 'sub/link'));
    fs.symlinkSync('/etc/passwd', path.join(dir, 'out'));
    const memory = memoryFileSystemFromHostDirectory(dir);
    const root = memory.openRoot();
    expect(memory.toFiles()).toEqual({ '/a.txt': text('alpha'), '/sub/b.bin': new Uint8Array([0, 255]) });
    expect(memory.stat(root, 'sub/empty').filetype).toBe('directory');
    expect(readFile(memory, root, 'sub/link')).toBe('alpha');
    expect(memory.readlink(root, 'out')).toBe('/etc/passwd');
    expectErrno(() => memory.stat(root, 'out'), 'perm');
    const readOnly = memoryFileSystemFromHostDirectory(dir, { readOnly: true });
    expectErrno(() => readOnly.unlink(readOnly.openRoot(), 'a.txt'), 'rofs');
  });

  it('reports a missing host directory as noent', () => {
    dir = makeTempDir();
    expectErrno(() => memoryFileSystemFromHostDirectory(path.join(dir, 'missing')), 'noent');
  });
});
