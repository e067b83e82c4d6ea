// Links and renames between two preopens: on the host they are one disk, and wasmtime, Wasmer and
// node:wasi do them there; each side is still resolved inside its own preopen. Between different
// backends (memory and host, two memory filesystems) there is nothing to share: xdev.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../src/index.js';
import { tempDir } from '../helpers/run-program.js';
import { ERRNO, boundWasi } from './harness.js';

async function twoPreopens(a: string | MemoryFileSystem, b: string | MemoryFileSystem) {
  const w = await boundWasi({ preopens: { '/a': a, '/b': b } });
  const at = (offset: number, text: string) => [offset, w.put(offset, text)] as const;
  const rename = (from: string, to: string) => w.call('path_rename', 3, ...at(1024, from), 4, ...at(1200, to));
  const link = (from: string, to: string, follow = false) => w.call('path_link', 3, follow ? 1 : 0, ...at(1024, from), 4, ...at(1200, to));
  return { ...w, rename, link };
}

describe('path_link and path_rename between two preopens', () => {
  it('on the host: done there, each path inside its own preopen', async () => {
    const t = tempDir();
    try {
      const a = join(t.path, 'a');
      const b = join(t.path, 'b');
      mkdirSync(a);
      mkdirSync(b);
      writeFileSync(join(a, 'f'), 'data');
      writeFileSync(join(a, 'g'), 'moved');
      writeFileSync(join(t.path, 'outside'), 'secret');
      const g = await twoPreopens(a, b);
      expect(g.link('f', 'hard')).toBe(ERRNO.success);
      expect(statSync(join(b, 'hard')).ino).toBe(statSync(join(a, 'f')).ino);
      expect(g.rename('g', 'g2')).toBe(ERRNO.success);
      expect(existsSync(join(a, 'g'))).toBe(false);
      expect(readFileSync(join(b, 'g2'), 'utf8')).toBe('moved');
      // Neither side may leave its preopen, even where the other preopen's parent is the same.
      expect(g.link('../outside', 'x')).toBe(ERRNO.perm);
      expect(g.rename('f', '../escaped')).toBe(ERRNO.perm);
      expect(g.rename('../outside', 'x')).toBe(ERRNO.perm);
      expect(existsSync(join(t.path, 'escaped'))).toBe(false);
      expect(existsSync(join(b, 'x'))).toBe(false);
      // The usual errnos still apply across.
      expect(g.link('f', 'hard')).toBe(ERRNO.exist);
      expect(g.rename('missing', 'y')).toBe(ERRNO.noent);
    } finally {
      t.cleanup();
    }
  });

  it('across different backends, or two memory filesystems: xdev, nothing done', async () => {
    const t = tempDir();
    try {
      const mem = new MemoryFileSystem({ '/f': 'm' });
      for (const g of [await twoPreopens(mem, t.path), await twoPreopens(mem, new MemoryFileSystem())]) {
        expect(g.link('f', 'x')).toBe(ERRNO.xdev);
        expect(g.rename('f', 'x')).toBe(ERRNO.xdev);
      }
      writeFileSync(join(t.path, 'h'), 'host');
      const back = await twoPreopens(t.path, new MemoryFileSystem());
      expect(back.link('h', 'x')).toBe(ERRNO.xdev);
      expect(back.rename('h', 'x')).toBe(ERRNO.xdev);
      expect(readFileSync(join(t.path, 'h'), 'utf8')).toBe('host');
      expect(Object.keys(mem.toFiles())).toEqual(['/f']);
    } finally {
      t.cleanup();
    }
  });

  it('into a read-only host preopen: rofs', async () => {
    const t = tempDir();
    try {
      mkdirSync(join(t.path, 'a'));
      mkdirSync(join(t.path, 'b'));
      writeFileSync(join(t.path, 'a', 'f'), 'x');
      const g = await boundWasi({ preopens: { '/a': join(t.path, 'a'), '/b': { path: join(t.path, 'b'), readOnly: true } } });
      const n = g.put(1024, 'f');
      const m = g.put(1200, 'y');
      expect(g.call('path_link', 3, 0, 1024, n, 4, 1200, m)).toBe(ERRNO.rofs);
      expect(g.call('path_rename', 3, 1024, n, 4, 1200, m)).toBe(ERRNO.rofs);
      expect(existsSync(join(t.path, 'b', 'y'))).toBe(false);
    } finally {
      t.cleanup();
    }
  });
});
