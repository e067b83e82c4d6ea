// The root filesystem (src/fs/mount-fs.ts): a MemoryFileSystem at `/` with a host directory mounted at
// /work and another MemoryFileSystem at /data/mem. What POSIX promises (`..` at a mount point is its
// parent in the tree, mount points list as directories, absolute symlinks start at `/`), and the
// sandbox: nothing reaches the host directory's parent, whatever the path or symlink, and every
// attempt leaves the host tree outside /work byte-for-byte alone.
import '../helpers/memfs.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WasiError, type ErrnoName } from '../../src/abi/wasi-error.js';
import { HostFileSystem } from '../../src/fs/host-fs.js';
import { MemoryFileSystem } from '../../src/fs/memory-fs.js';
import { MountFileSystem } from '../../src/fs/mount-fs.js';
import { hashTree, makeTempDir } from './helpers.js';

function errno(f: () => unknown): ErrnoName | 'ok' {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (err instanceof WasiError) return err.errno;
    throw err;
  }
}

const decoder = new TextDecoder();

describe('MountFileSystem', () => {
  let tmp: string;
  let hostWork: string;
  let secretHash: string;
  let root: MemoryFileSystem;
  let mem: MemoryFileSystem;
  let t: MountFileSystem;
  let slash: number;

  const readAll = (p: string): string => {
    const h = t.open(slash, p, { read: true });
    try {
      const buf = new Uint8Array(4096);
      return decoder.decode(buf.subarray(0, t.read(h, buf)));
    } finally {
      t.close(h);
    }
  };
  const names = (p: string): string[] => {
    const h = t.open(slash, p, { read: true, directory: true });
    try {
      return t.readdir(h).map((e) => `${e.name}:${e.type}`);
    } finally {
      t.close(h);
    }
  };

  beforeAll(() => {
    tmp = makeTempDir('wasi-kit-mount-');
    hostWork = path.join(tmp, 'work');
    fs.mkdirSync(path.join(hostWork, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(hostWork, 'inside.txt'), 'inside');
    fs.writeFileSync(path.join(tmp, 'secret.txt'), 'TOP SECRET');
    fs.mkdirSync(path.join(tmp, 'secretdir'));
    fs.writeFileSync(path.join(tmp, 'secretdir', 's.txt'), 'nested secret');
    const links: Record<string, string> = {
      'up-rel': '../secret.txt',
      'up-dir': '../secretdir',
      'up-abs': path.join(tmp, 'secret.txt'),
      'root-abs': '/',
      'to-data': '/data/mem/m.txt',
      'to-data-rel': '../data/mem/m.txt',
      'sub/upup': '../../..',
      'sub/up2': '../..',
      'sub/chain': '../up-rel',
    };
    for (const [at, target] of Object.entries(links)) fs.symlinkSync(target, path.join(hostWork, at));
    secretHash = hashTree(tmp, 'work');

    root = new MemoryFileSystem({ '/etc/motd': 'root motd', '/secret.txt': 'guest root file' });
    mem = new MemoryFileSystem({ '/m.txt': 'in mem' });
    t = new MountFileSystem(root, [
      ['/work', new HostFileSystem(hostWork)],
      ['/data/mem', mem],
    ]);
    slash = t.openRoot();
  });

  afterAll(() => {
    // Everything that was there still is, unchanged, and nothing was added beside /work.
    const now = fs.readdirSync(tmp).sort();
    expect(now).toEqual(['secret.txt', 'secretdir', 'work']);
    expect(fs.readFileSync(path.join(tmp, 'secret.txt'), 'utf8')).toBe('TOP SECRET');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists / with its own entries and the mount points as directories', () => {
    expect(names('.')).toEqual(['.:directory', '..:directory', 'data:directory', 'etc:directory', 'secret.txt:regular_file', 'work:directory']);
    expect(names('data')).toContain('mem:directory');
    expect(names('work')).toContain('inside.txt:regular_file');
    expect(names('data/mem')).toContain('m.txt:regular_file');
  });

  it('opens paths across mounts, and .. at a mount point is its parent in the tree', () => {
    expect(readAll('work/inside.txt')).toBe('inside');
    expect(readAll('data/mem/m.txt')).toBe('in mem');
    expect(readAll('work/../etc/motd')).toBe('root motd');
    expect(readAll('data/mem/../../work/inside.txt')).toBe('inside');
    // A directory opened inside a mount resolves .. through the tree too.
    const w = t.open(slash, 'work/sub', { read: true, directory: true });
    expect(t.stat(w, '../../etc/motd').filetype).toBe('regular_file');
    t.close(w);
    expect(t.stat(slash, 'work').ino).toBe(t.stat(slash, 'work/.').ino);
  });

  it('follows symlinks through the tree: .. out of /work reaches the guest root, never the host', () => {
    expect(readAll('work/up-rel')).toBe('guest root file');
    expect(errno(() => readAll('work/up-dir/s.txt'))).toBe('noent');
    // An absolute target starts at the guest's `/`: the host path means nothing there.
    expect(errno(() => readAll('work/up-abs'))).toBe('noent');
    expect(names('work/root-abs')).toContain('work:directory');
    expect(readAll('work/to-data')).toBe('in mem');
    expect(readAll('work/to-data-rel')).toBe('in mem');
    expect(names('work/sub/up2')).toContain('etc:directory');
    // One step more would climb above `/`: refused, as at every directory fd's top.
    expect(errno(() => names('work/sub/upup'))).toBe('perm');
    expect(readAll('work/sub/chain')).toBe('guest root file');
  });

  it('refuses to climb above / and absolute paths, as every directory fd does', () => {
    expect(errno(() => t.stat(slash, '..'))).toBe('perm');
    expect(errno(() => t.stat(slash, 'work/../..'))).toBe('perm');
    expect(errno(() => t.stat(slash, 'work/sub/../../../secret.txt'))).toBe('perm');
    expect(errno(() => t.stat(slash, '/etc'))).toBe('perm');
  });

  it('answers xdev for a rename or link between different backends, and busy for a mount point', () => {
    expect(errno(() => t.rename(slash, 'work/inside.txt', slash, 'data/mem/moved.txt'))).toBe('xdev');
    expect(errno(() => t.link(slash, 'data/mem/m.txt', slash, 'work/linked.txt'))).toBe('xdev');
    expect(errno(() => t.rename(slash, 'etc/motd', slash, 'work/motd'))).toBe('xdev');
    expect(errno(() => t.rmdir(slash, 'work'))).toBe('busy');
    expect(errno(() => t.rmdir(slash, 'data'))).toBe('busy');
    expect(errno(() => t.rename(slash, 'work', slash, 'elsewhere'))).toBe('busy');
    expect(errno(() => t.rename(slash, 'etc', slash, 'work'))).toBe('busy');
    expect(errno(() => t.mkdir(slash, 'work'))).toBe('exist');
    expect(errno(() => t.unlink(slash, 'work'))).toBe('isdir');
    expect(readAll('work/inside.txt')).toBe('inside');
    expect(readAll('data/mem/m.txt')).toBe('in mem');
  });

  it('writes through to each backend, inside one mount renames work', () => {
    const h = t.open(slash, 'tmpfile', { write: true, create: true });
    t.write(h, new TextEncoder().encode('made at /'));
    t.close(h);
    expect(root.volume.readFileSync('/tmpfile', 'utf8')).toBe('made at /');
    t.mkdir(slash, 'work/newdir');
    t.rename(slash, 'work/newdir', slash, 'work/sub/newdir');
    expect(fs.statSync(path.join(hostWork, 'sub/newdir')).isDirectory()).toBe(true);
    t.rmdir(slash, 'work/sub/newdir');
    // Creating through a symlink that leads out of /work lands in the guest root, not beside /work on the host.
    const w = t.open(slash, 'work/up-rel-new', { write: true, create: true });
    t.close(w);
    expect(fs.existsSync(path.join(hostWork, 'up-rel-new'))).toBe(true);
    fs.rmSync(path.join(hostWork, 'up-rel-new'));
  });

  it('left the host tree outside /work unchanged', () => {
    expect(hashTree(tmp, 'work')).toBe(secretHash);
  });
});
