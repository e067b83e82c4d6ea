import { describe, expect, it } from 'vitest';
import '../helpers/memfs.js';
import { findPlain, MemoryFileSystem } from '../../src/fs/memory-fs.js';
import { resolvePath, type PathLookup } from '../../src/fs/path-resolver.js';
import type { FileType } from '../../src/fs/types.js';

type Link = MemoryFileSystem['volume']['_core']['root'];

const TYPES: Record<number, FileType> = { 0o040000: 'directory', 0o100000: 'regular_file', 0o120000: 'symbolic_link' };

const walk = (base: Link, parts: readonly string[]): Link | undefined => {
  let link: Link | undefined = base;
  for (const name of parts) link = link?.children.get(name);
  return link;
};

/** The resolver over the same tree, by its own lookup: the answer the one-walk path must equal. */
const lookupOver = (base: Link): PathLookup => ({
  lstatType: (parts) => {
    const link = walk(base, parts);
    return link === undefined ? undefined : (TYPES[link.getNode().mode & 0o170000] ?? 'unknown');
  },
  readlink: (parts) => walk(base, parts)!.getNode().symlink,
});

const outcome = (f: () => unknown) => {
  try {
    return f();
  } catch (err) {
    return { errno: (err as { errno?: string }).errno ?? String(err) };
  }
};

describe('MemoryFileSystem path lookup', () => {
  it('answers a plain path in one walk exactly as the resolver does, and leaves every other path to it', () => {
    const memory = new MemoryFileSystem({ '/a/b/f.txt': 'x', '/a/g': 'y', '/top': 'z' });
    const root = memory.openRoot();
    memory.mkdir(root, 'a/empty');
    memory.symlink('b', root, 'a/tob');
    memory.symlink('f.txt', root, 'a/b/tof');
    memory.symlink('../top', root, 'a/up');
    memory.symlink('nope', root, 'dangling');
    memory.symlink('/etc', root, 'abs');
    memory.symlink('loop', root, 'loop');
    const base = memory.volume._core.root;
    const lookup = lookupOver(base);
    const names = ['a', 'b', 'f.txt', 'g', 'top', 'empty', 'tob', 'tof', 'up', 'dangling', 'abs', 'loop', 'missing', '.', '..', '', 'n'.repeat(86), 'é'.repeat(128), 'a\0'];
    const paths = [...names];
    for (const x of names) for (const y of names) paths.push(`${x}/${y}`);
    for (const x of ['a', 'tob', '.', '']) for (const y of names) for (const z of names) paths.push(`${x}/${y}/${z}`);
    paths.push('/a', 'a//b', 'a/b/', 'a/./b');
    let plain = 0;
    for (const path of paths) {
      for (const followFinal of [true, false]) {
        const found = findPlain(base, path, followFinal);
        if (found === undefined) continue;
        plain += 1;
        const { link, ...resolved } = found;
        expect([path, followFinal, resolved]).toEqual([path, followFinal, outcome(() => resolvePath(lookup, path, { followFinal }))]);
        expect(link).toBe(walk(base, found.parts));
      }
    }
    // Most of the paths above are not plain; enough are to cover every way a plain one ends.
    expect(plain).toBeGreaterThan(50);
  });

  it('gives the same answers through stat, lstat and open for plain and other paths', () => {
    const memory = new MemoryFileSystem({ '/d/f': 'data', '/d/e/g': '' });
    const root = memory.openRoot();
    memory.symlink('f', root, 'd/l');
    const ino = (path: string) => memory.lstat(root, path).ino;
    for (const [plainPath, otherPath] of [
      ['d/f', 'd/./f'],
      ['d/e/g', 'd/e/../e/g'],
      ['d/l', 'd//l'],
      ['d/e', 'd/e/'],
    ] as const) {
      expect(memory.stat(root, plainPath)).toEqual(memory.stat(root, otherPath));
      expect(outcome(() => memory.lstat(root, plainPath).ino)).toEqual(outcome(() => memory.lstat(root, otherPath).ino));
    }
    expect(memory.stat(root, 'd/l').ino).toBe(ino('d/f'));
    expect(memory.lstat(root, 'd/l').filetype).toBe('symbolic_link');
    expect(outcome(() => memory.open(root, 'd/l', { read: true, nofollow: true }))).toEqual({ errno: 'loop' });
    expect(outcome(() => memory.open(root, 'd/f/x', { read: true }))).toEqual({ errno: 'notdir' });
    expect(outcome(() => memory.open(root, 'd/missing/x', { read: true }))).toEqual({ errno: 'noent' });
    const h = memory.open(root, 'd/new', { write: true, create: true });
    memory.close(h);
    expect(memory.lstat(root, 'd/new').filetype).toBe('regular_file');
  });
});
