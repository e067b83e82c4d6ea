// One behaviour suite for both backends: the expected values come from POSIX (Linux where it
// leaves a choice), not from either implementation.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileSystem } from '../../src/fs/types.js';
import { backends, errnoOf, expectErrno, readFile, str, text, writeFile, readN, preadN } from './helpers.js';

describe.each(backends)('$name', (backend) => {
  let fsys: FileSystem;
  let cleanup: () => void;
  let root: number;

  beforeEach(() => {
    ({ fs: fsys, cleanup } = backend.make());
    root = fsys.openRoot();
  });
  afterEach(() => cleanup());

  describe('files', () => {
    it('writes and reads back, with size and type in stat', () => {
      writeFile(fsys, root, 'a.txt', 'hello world');
      expect(readFile(fsys, root, 'a.txt')).toBe('hello world');
      const st = fsys.stat(root, 'a.txt');
      expect(st.filetype).toBe('regular_file');
      expect(st.size).toBe(11n);
      expect(st.nlink).toBe(1n);
    });

    it('read advances the position, pread leaves it, seek moves it', () => {
      writeFile(fsys, root, 'f', '0123456789');
      const h = fsys.open(root, 'f', { read: true });
      expect(str(readN(fsys, h, 3))).toBe('012');
      expect(str(preadN(fsys, h, 2, 7n))).toBe('78');
      expect(str(readN(fsys, h, 2))).toBe('34');
      expect(fsys.seek(h, 0n, 'cur')).toBe(5n);
      expect(fsys.seek(h, -2n, 'end')).toBe(8n);
      expect(str(readN(fsys, h, 100))).toBe('89');
      expect(readN(fsys, h, 100).length).toBe(0);
      expect(fsys.seek(h, 1n, 'set')).toBe(1n);
      expect(str(readN(fsys, h, 1))).toBe('1');
      expectErrno(() => fsys.seek(h, -5n, 'cur'), 'inval');
      expect(preadN(fsys, h, 4, 100n).length).toBe(0);
    });

    it('keeps a position past 2^53 exact: tell gives it back, a read there is at the end, a write fbig', () => {
      writeFile(fsys, root, 'f', '0123456789');
      const h = fsys.open(root, 'f', { read: true, write: true });
      const far = 2n ** 60n + 3n;
      expect(fsys.seek(h, far, 'set')).toBe(far);
      expect(fsys.seek(h, 0n, 'cur')).toBe(far);
      expect(readN(fsys, h, 4).length).toBe(0);
      expect(fsys.seek(h, 1n, 'cur')).toBe(far + 1n);
      expectErrno(() => fsys.write(h, text('x')), 'fbig');
      // Down to the last safe integer and across it by whole reads and writes' worth of seeks.
      const edge = BigInt(Number.MAX_SAFE_INTEGER);
      expect(fsys.seek(h, edge, 'set')).toBe(edge);
      expect(fsys.seek(h, 2n, 'cur')).toBe(edge + 2n);
      expect(fsys.seek(h, -(edge + 2n) + 3n, 'cur')).toBe(3n);
      expect(str(readN(fsys, h, 2))).toBe('34');
      expect(fsys.write(h, text('ab'))).toBe(2);
      expect(fsys.seek(h, 0n, 'cur')).toBe(7n);
      expect(str(preadN(fsys, h, 10, 0n))).toBe('01234ab789');
      fsys.close(h);
    });

    it('writes past the end leave a zero-filled gap', () => {
      const h = fsys.open(root, 'gap', { read: true, write: true, create: true });
      fsys.pwrite(h, text('x'), 4n);
      expect([...preadN(fsys, h, 10, 0n)]).toEqual([0, 0, 0, 0, 120]);
      expect(fsys.fstat(h).size).toBe(5n);
    });

    it('append mode puts every write at the end, whatever the position or offset', () => {
      writeFile(fsys, root, 'log', 'abc');
      const h = fsys.open(root, 'log', { read: true, append: true });
      fsys.seek(h, 0n, 'set');
      expect(fsys.write(h, text('de'))).toBe(2);
      expect(fsys.seek(h, 0n, 'cur')).toBe(5n);
      fsys.pwrite(h, text('f'), 0n);
      expect(str(preadN(fsys, h, 100, 0n))).toBe('abcdef');
      fsys.close(h);
    });

    it('truncate flag, ftruncate, truncate by path and allocate set sizes', () => {
      writeFile(fsys, root, 'f', 'abcdef');
      const h = fsys.open(root, 'f', { read: true, write: true, truncate: true });
      expect(fsys.fstat(h).size).toBe(0n);
      fsys.write(h, text('xyz'));
      fsys.ftruncate(h, 5n);
      expect([...preadN(fsys, h, 10, 0n)]).toEqual([120, 121, 122, 0, 0]);
      fsys.ftruncate(h, 1n);
      expect(str(preadN(fsys, h, 10, 0n))).toBe('x');
      fsys.allocate(h, 2n, 6n);
      expect(fsys.fstat(h).size).toBe(8n);
      fsys.allocate(h, 0n, 2n);
      expect(fsys.fstat(h).size).toBe(8n);
      fsys.truncate(root, 'f', 2n);
      expect(fsys.fstat(h).size).toBe(2n);
      fsys.close(h);
      fsys.mkdir(root, 'd');
      expectErrno(() => fsys.truncate(root, 'd', 0n), 'isdir');
      expectErrno(() => fsys.truncate(root, 'missing', 0n), 'noent');
    });

    it('refuses I/O the handle was not opened for', () => {
      writeFile(fsys, root, 'f', 'abc');
      const r = fsys.open(root, 'f', { read: true });
      const w = fsys.open(root, 'f', { write: true });
      expectErrno(() => fsys.write(r, text('x')), 'badf');
      expectErrno(() => fsys.pwrite(r, text('x'), 0n), 'badf');
      expectErrno(() => readN(fsys, w, 1), 'badf');
      expectErrno(() => fsys.ftruncate(r, 0n), 'inval');
      expectErrno(() => fsys.allocate(r, 0n, 10n), 'badf');
      fsys.close(r);
      expectErrno(() => readN(fsys, r, 1), 'badf');
      expectErrno(() => fsys.close(r), 'badf');
      expectErrno(() => fsys.fstat(12345), 'badf');
      expectErrno(() => fsys.sync(12345), 'badf');
      fsys.sync(w);
      fsys.datasync(w);
      fsys.close(w);
    });

    it('keeps an unlinked open file readable, with nlink 0', () => {
      writeFile(fsys, root, 'f', 'still here');
      const h = fsys.open(root, 'f', { read: true });
      fsys.unlink(root, 'f');
      expectErrno(() => fsys.stat(root, 'f'), 'noent');
      expect(str(readN(fsys, h, 100))).toBe('still here');
      expect(fsys.fstat(h).nlink).toBe(0n);
      fsys.close(h);
    });
  });

  describe('open flags', () => {
    it('create, exclusive, missing, directory-only', () => {
      expectErrno(() => fsys.open(root, 'nope', { read: true }), 'noent');
      fsys.close(fsys.open(root, 'new', { write: true, create: true, exclusive: true }));
      expectErrno(() => fsys.open(root, 'new', { write: true, create: true, exclusive: true }), 'exist');
      fsys.close(fsys.open(root, 'new', { write: true, create: true }));
      expectErrno(() => fsys.open(root, 'new', { directory: true }), 'notdir');
      expectErrno(() => fsys.open(root, 'new/', { read: true }), 'notdir');
      expectErrno(() => fsys.open(root, 'x', { create: true, directory: true }), 'inval');
      expectErrno(() => fsys.open(root, 'other/', { write: true, create: true }), 'isdir');
      expectErrno(() => fsys.open(root, 'no/such', { write: true, create: true }), 'noent');
      expectErrno(() => fsys.open(root, 'new/x', { write: true, create: true }), 'notdir');
    });

    it('opens directories read-only, with or without the directory flag', () => {
      fsys.mkdir(root, 'd');
      const a = fsys.open(root, 'd', { directory: true });
      const b = fsys.open(root, 'd', { read: true });
      expect(fsys.fstat(a).filetype).toBe('directory');
      expect(fsys.fstat(b).ino).toBe(fsys.fstat(a).ino);
      expectErrno(() => fsys.open(root, 'd', { write: true }), 'isdir');
      expectErrno(() => fsys.open(root, 'd', { read: true, truncate: true }), 'isdir');
      expectErrno(() => readN(fsys, a, 1), 'isdir');
      expectErrno(() => fsys.seek(a, 0n, 'set'), 'isdir');
      fsys.close(a);
      fsys.close(b);
    });

    it('follows a final symlink unless nofollow, which gives loop', () => {
      writeFile(fsys, root, 'target', 'T');
      fsys.symlink('target', root, 'link');
      expect(readFile(fsys, root, 'link')).toBe('T');
      expectErrno(() => fsys.open(root, 'link', { read: true, nofollow: true }), 'loop');
      // O_EXCL never follows, even to a missing target.
      fsys.symlink('missing', root, 'dangling');
      expectErrno(() => fsys.open(root, 'dangling', { write: true, create: true, exclusive: true }), 'exist');
      // Without O_EXCL, creating through a dangling symlink creates its target.
      fsys.close(fsys.open(root, 'dangling', { write: true, create: true }));
      expect(fsys.lstat(root, 'missing').filetype).toBe('regular_file');
    });

    it('limits open handles with nfile when asked', () => {
      const { fs: limited, cleanup: done } = backend.make({ maxOpenFiles: 3 });
      try {
        const r = limited.openRoot();
        writeFile(limited, r, 'f', 'x');
        const a = limited.open(r, 'f', { read: true });
        const b = limited.open(r, 'f', { read: true });
        expectErrno(() => limited.open(r, 'f', { read: true }), 'nfile');
        expectErrno(() => limited.open(r, 'g', { write: true, create: true }), 'nfile');
        expectErrno(() => limited.stat(r, 'g'), 'noent');
        limited.close(a);
        limited.close(limited.open(r, 'f', { read: true }));
        limited.close(b);
      } finally {
        done();
      }
    });
  });

  describe('directories', () => {
    it('lists . and .. first, then names sorted, with types and inodes', () => {
      fsys.mkdir(root, 'sub');
      writeFile(fsys, root, 'b.txt', '');
      writeFile(fsys, root, 'a.txt', '');
      fsys.symlink('a.txt', root, 'c-link');
      const entries = fsys.readdir(root);
      expect(entries.map((e) => [e.name, e.type])).toEqual([
        ['.', 'directory'],
        ['..', 'directory'],
        ['a.txt', 'regular_file'],
        ['b.txt', 'regular_file'],
        ['c-link', 'symbolic_link'],
        ['sub', 'directory'],
      ]);
      for (const e of entries.slice(2)) expect(e.ino).toBe(fsys.lstat(root, e.name).ino);
      const rootIno = fsys.fstat(root).ino;
      expect(entries[0]!.ino).toBe(rootIno);
      expect(entries[1]!.ino).toBe(rootIno);
      const sub = fsys.open(root, 'sub', { directory: true });
      const subEntries = fsys.readdir(sub);
      expect(subEntries.map((e) => e.name)).toEqual(['.', '..']);
      expect(subEntries[0]!.ino).toBe(fsys.stat(root, 'sub').ino);
      expect(subEntries[1]!.ino).toBe(rootIno);
      writeFile(fsys, root, 'f', '');
      const file = fsys.open(root, 'f', { read: true });
      expectErrno(() => fsys.readdir(file), 'notdir');
    });

    it('mkdir, rmdir and their errors', () => {
      fsys.mkdir(root, 'd');
      expect(fsys.stat(root, 'd').filetype).toBe('directory');
      expectErrno(() => fsys.mkdir(root, 'd'), 'exist');
      expectErrno(() => fsys.mkdir(root, '.'), 'exist');
      expectErrno(() => fsys.mkdir(root, 'x/y'), 'noent');
      fsys.mkdir(root, 'e/');
      writeFile(fsys, root, 'd/f', '');
      expectErrno(() => fsys.rmdir(root, 'd'), 'notempty');
      expectErrno(() => fsys.rmdir(root, 'd/f'), 'notdir');
      expectErrno(() => fsys.rmdir(root, '.'), 'inval');
      expectErrno(() => fsys.rmdir(root, 'd/..'), 'inval');
      expectErrno(() => fsys.rmdir(root, 'gone'), 'noent');
      fsys.unlink(root, 'd/f');
      fsys.rmdir(root, 'd');
      fsys.rmdir(root, 'e/');
      expectErrno(() => fsys.stat(root, 'd'), 'noent');
    });

    it('counts directory links as POSIX does', () => {
      fsys.mkdir(root, 'd');
      expect(fsys.stat(root, 'd').nlink).toBe(2n);
      const before = fsys.fstat(root).nlink;
      fsys.mkdir(root, 'd/x');
      fsys.mkdir(root, 'd/y');
      expect(fsys.stat(root, 'd').nlink).toBe(4n);
      fsys.mkdir(root, 'e');
      expect(fsys.fstat(root).nlink).toBe(before + 1n);
      fsys.rmdir(root, 'd/x');
      expect(fsys.stat(root, 'd').nlink).toBe(3n);
    });

    it('resolves paths relative to a directory handle, which is itself the sandbox', () => {
      fsys.mkdir(root, 'sub');
      writeFile(fsys, root, 'top.txt', 'top');
      writeFile(fsys, root, 'sub/in.txt', 'in');
      const sub = fsys.open(root, 'sub', { directory: true });
      expect(readFile(fsys, sub, 'in.txt')).toBe('in');
      expect(readFile(fsys, root, 'sub/../top.txt')).toBe('top');
      expectErrno(() => fsys.stat(sub, '../top.txt'), 'perm');
      expectErrno(() => fsys.open(root, '../x', { read: true }), 'perm');
      const file = fsys.open(root, 'top.txt', { read: true });
      expectErrno(() => fsys.stat(file, 'x'), 'notdir');
    });
  });

  describe('links', () => {
    it('hard links share an inode and count', () => {
      writeFile(fsys, root, 'a', 'shared');
      fsys.link(root, 'a', root, 'b');
      expect(fsys.stat(root, 'b').ino).toBe(fsys.stat(root, 'a').ino);
      expect(fsys.stat(root, 'a').nlink).toBe(2n);
      writeFile(fsys, root, 'b', 'changed');
      expect(readFile(fsys, root, 'a')).toBe('changed');
      fsys.unlink(root, 'a');
      expect(fsys.stat(root, 'b').nlink).toBe(1n);
      fsys.mkdir(root, 'd');
      expectErrno(() => fsys.link(root, 'd', root, 'd2'), 'perm');
      expectErrno(() => fsys.link(root, 'b', root, 'd'), 'exist');
      expectErrno(() => fsys.link(root, 'gone', root, 'c'), 'noent');
    });

    it('link does not follow a symlink source', () => {
      writeFile(fsys, root, 't', 'x');
      fsys.symlink('t', root, 's');
      fsys.link(root, 's', root, 's2');
      expect(fsys.lstat(root, 's2').filetype).toBe('symbolic_link');
      expect(fsys.lstat(root, 's2').ino).toBe(fsys.lstat(root, 's').ino);
      expect(fsys.stat(root, 't').nlink).toBe(1n);
    });

    it('link with follow links what a symlink names; a dangling one is noent', () => {
      fsys.mkdir(root, 'd');
      writeFile(fsys, root, 'd/t', 'x');
      fsys.symlink('d/t', root, 's');
      fsys.link(root, 's', root, 'hard', true);
      expect(fsys.lstat(root, 'hard').filetype).toBe('regular_file');
      expect(fsys.lstat(root, 'hard').ino).toBe(fsys.lstat(root, 'd/t').ino);
      expect(fsys.stat(root, 'd/t').nlink).toBe(2n);
      fsys.symlink('missing', root, 'dangling');
      expectErrno(() => fsys.link(root, 'dangling', root, 'x', true), 'noent');
      expectErrno(() => fsys.lstat(root, 'x'), 'noent');
    });

    it('symlink, readlink, stat versus lstat', () => {
      fsys.mkdir(root, 'd');
      writeFile(fsys, root, 'd/f', 'data');
      fsys.symlink('d/f', root, 'l');
      fsys.symlink('d', root, 'ld');
      expect(fsys.readlink(root, 'l')).toBe('d/f');
      expect(fsys.lstat(root, 'l').filetype).toBe('symbolic_link');
      expect(fsys.lstat(root, 'l').size).toBe(3n);
      expect(fsys.stat(root, 'l').ino).toBe(fsys.stat(root, 'd/f').ino);
      expect(fsys.stat(root, 'ld/f').size).toBe(4n);
      expect(fsys.lstat(root, 'ld/').filetype).toBe('directory');
      expectErrno(() => fsys.readlink(root, 'd/f'), 'inval');
      expectErrno(() => fsys.readlink(root, 'nope'), 'noent');
      expectErrno(() => fsys.symlink('x', root, 'l'), 'exist');
      expectErrno(() => fsys.symlink('', root, 'empty'), 'noent');
      fsys.symlink('nowhere', root, 'dangling');
      expectErrno(() => fsys.stat(root, 'dangling'), 'noent');
      expect(fsys.lstat(root, 'dangling').filetype).toBe('symbolic_link');
      fsys.symlink('loop2', root, 'loop1');
      fsys.symlink('loop1', root, 'loop2');
      expectErrno(() => fsys.stat(root, 'loop1'), 'loop');
      expectErrno(() => fsys.open(root, 'loop1/x', { read: true }), 'loop');
      // unlink removes the symlink itself
      fsys.unlink(root, 'l');
      expect(readFile(fsys, root, 'd/f')).toBe('data');
    });

    it('trailing slashes demand a directory', () => {
      writeFile(fsys, root, 'f', '');
      fsys.mkdir(root, 'd');
      fsys.symlink('f', root, 'lf');
      expectErrno(() => fsys.stat(root, 'f/'), 'notdir');
      expectErrno(() => fsys.lstat(root, 'lf/'), 'notdir');
      expectErrno(() => fsys.unlink(root, 'f/'), 'notdir');
      expect(fsys.stat(root, 'd/').filetype).toBe('directory');
      expect(fsys.stat(root, 'd//.//').filetype).toBe('directory');
      expectErrno(() => fsys.rename(root, 'f', root, 'g/'), 'notdir');
    });
  });

  describe('rename', () => {
    it('replaces a file and keeps the moved inode', () => {
      writeFile(fsys, root, 'a', 'A');
      writeFile(fsys, root, 'b', 'B');
      const ino = fsys.stat(root, 'a').ino;
      fsys.rename(root, 'a', root, 'b');
      expectErrno(() => fsys.stat(root, 'a'), 'noent');
      expect(fsys.stat(root, 'b').ino).toBe(ino);
      expect(readFile(fsys, root, 'b')).toBe('A');
    });

    it('moves directories with their contents, and refuses the POSIX-forbidden cases', () => {
      fsys.mkdir(root, 'd');
      writeFile(fsys, root, 'd/f', 'F');
      fsys.mkdir(root, 'other');
      fsys.rename(root, 'd', root, 'other/moved');
      expect(readFile(fsys, root, 'other/moved/f')).toBe('F');
      fsys.mkdir(root, 'empty');
      fsys.mkdir(root, 'full');
      writeFile(fsys, root, 'full/x', '');
      writeFile(fsys, root, 'file', '');
      expectErrno(() => fsys.rename(root, 'other/moved', root, 'full'), 'notempty');
      expectErrno(() => fsys.rename(root, 'other/moved', root, 'file'), 'notdir');
      expectErrno(() => fsys.rename(root, 'file', root, 'empty'), 'isdir');
      expectErrno(() => fsys.rename(root, 'other', root, 'other/moved/inside'), 'inval');
      expectErrno(() => fsys.rename(root, 'missing', root, 'x'), 'noent');
      expectErrno(() => fsys.rename(root, '.', root, 'x'), 'busy');
      fsys.rename(root, 'other/moved', root, 'empty');
      expect(readFile(fsys, root, 'empty/f')).toBe('F');
    });

    it('moves a symlink itself and is a no-op between hard links of one file', () => {
      writeFile(fsys, root, 't', 'T');
      fsys.symlink('t', root, 's');
      fsys.rename(root, 's', root, 's2');
      expect(fsys.readlink(root, 's2')).toBe('t');
      expect(fsys.lstat(root, 't').filetype).toBe('regular_file');
      fsys.link(root, 't', root, 't2');
      fsys.rename(root, 't', root, 't2');
      expect(fsys.stat(root, 't').nlink).toBe(2n);
      expect(fsys.stat(root, 't2').nlink).toBe(2n);
    });

    it('unlink refuses directories', () => {
      fsys.mkdir(root, 'd');
      expectErrno(() => fsys.unlink(root, 'd'), 'isdir');
      expectErrno(() => fsys.unlink(root, '.'), 'isdir');
      expectErrno(() => fsys.unlink(root, 'nope'), 'noent');
    });
  });

  describe('times', () => {
    const T1 = 1_000_000_123_456_789n;
    const T2 = 1_500_000_987_654_321n;
    const near = (actual: bigint, expected: bigint) => {
      const diff = actual > expected ? actual - expected : expected - actual;
      expect(diff <= backend.timePrecisionNs, `${actual} vs ${expected}`).toBe(true);
    };

    it('sets atim and mtim by path, in nanoseconds', () => {
      writeFile(fsys, root, 'f', 'x');
      fsys.setTimes(root, 'f', { atim: T1, mtim: T2 }, true);
      const st = fsys.stat(root, 'f');
      near(st.atim, T1);
      near(st.mtim, T2);
      fsys.setTimes(root, 'f', { mtim: T1 }, true);
      near(fsys.stat(root, 'f').atim, T1);
      near(fsys.stat(root, 'f').mtim, T1);
    });

    it('reads back nanoseconds exactly until something else changes the time', () => {
      // Present-day values with nanoseconds a double of seconds cannot hold.
      const A = 1_764_000_000_123_456_789n;
      const M = 1_764_000_001_987_654_321n;
      writeFile(fsys, root, 'f', 'x');
      fsys.setTimes(root, 'f', { atim: A, mtim: M }, true);
      expect([fsys.stat(root, 'f').atim, fsys.stat(root, 'f').mtim]).toEqual([A, M]);
      const h = fsys.open(root, 'f', { read: true, write: true });
      expect([fsys.fstat(h).atim, fsys.fstat(h).mtim]).toEqual([A, M]);
      fsys.fsetTimes(h, { atim: M });
      expect([fsys.fstat(h).atim, fsys.fstat(h).mtim]).toEqual([M, M]);
      fsys.write(h, text('more'));
      fsys.close(h);
      // The write moved mtim to now: the kept value no longer stands.
      expect(fsys.stat(root, 'f').mtim > M).toBe(true);
      expect(fsys.stat(root, 'f').atim).toBe(M);
    });

    it("'now' is between the clock before and after", () => {
      writeFile(fsys, root, 'f', 'x');
      fsys.setTimes(root, 'f', { atim: T1, mtim: T1 }, true);
      const before = BigInt(Date.now() - 1000) * 1_000_000n;
      fsys.setTimes(root, 'f', { mtim: 'now' }, true);
      const after = BigInt(Date.now() + 1000) * 1_000_000n;
      const st = fsys.stat(root, 'f');
      expect(st.mtim >= before && st.mtim <= after).toBe(true);
      near(st.atim, T1);
      expect(st.ctim >= before).toBe(true);
    });

    it('sets times of the symlink itself when not following', () => {
      writeFile(fsys, root, 't', 'x');
      fsys.symlink('t', root, 's');
      fsys.setTimes(root, 't', { atim: T1, mtim: T1 }, true);
      fsys.setTimes(root, 's', { atim: T2, mtim: T2 }, false);
      near(fsys.lstat(root, 's').mtim, T2);
      near(fsys.stat(root, 't').mtim, T1);
      fsys.setTimes(root, 's', { mtim: T2 }, true);
      near(fsys.stat(root, 't').mtim, T2);
      expectErrno(() => fsys.setTimes(root, 'gone', { mtim: T1 }, true), 'noent');
    });

    it('sets times by handle', () => {
      writeFile(fsys, root, 'f', 'x');
      const h = fsys.open(root, 'f', { read: true });
      fsys.fsetTimes(h, { atim: T2, mtim: T1 });
      near(fsys.fstat(h).atim, T2);
      near(fsys.fstat(h).mtim, T1);
      fsys.close(h);
    });

    it('writes move mtim of the file, creations move mtim of the directory', () => {
      fsys.mkdir(root, 'd');
      writeFile(fsys, root, 'd/f', 'x');
      fsys.setTimes(root, 'd/f', { mtim: T1 }, true);
      fsys.setTimes(root, 'd', { mtim: T1 }, true);
      const h = fsys.open(root, 'd/f', { write: true });
      fsys.write(h, text('y'));
      fsys.close(h);
      expect(fsys.stat(root, 'd/f').mtim > T1).toBe(true);
      near(fsys.stat(root, 'd').mtim, T1);
      writeFile(fsys, root, 'd/g', '');
      expect(fsys.stat(root, 'd').mtim > T1).toBe(true);
    });
  });

  describe('sandboxed paths', () => {
    it('refuses absolute, escaping, empty and NUL paths with the reference errnos', () => {
      writeFile(fsys, root, 'f', '');
      expectErrno(() => fsys.stat(root, '/f'), 'perm');
      expectErrno(() => fsys.stat(root, '..'), 'perm');
      expectErrno(() => fsys.stat(root, 'f/../../f'), 'notdir');
      fsys.mkdir(root, 'd');
      expectErrno(() => fsys.stat(root, 'd/../../f'), 'perm');
      expectErrno(() => fsys.stat(root, ''), 'noent');
      expectErrno(() => fsys.stat(root, 'f\0'), 'inval');
      expectErrno(() => fsys.stat(root, 'x'.repeat(256)), 'nametoolong');
      fsys.symlink('/etc', root, 'abs');
      expectErrno(() => fsys.stat(root, 'abs'), 'perm');
      expect(fsys.lstat(root, 'abs').filetype).toBe('symbolic_link');
      expect(fsys.readlink(root, 'abs')).toBe('/etc');
    });
  });

  describe('read-only', () => {
    it('fails every mutating call with rofs and still reads', () => {
      const { fs: ro, cleanup: done } = backend.makeReadOnly({ f: 'data', 'd/g': 'in d' });
      try {
        const r = ro.openRoot();
        expect(readFile(ro, r, 'f')).toBe('data');
        expect(ro.readdir(r).map((e) => e.name)).toEqual(['.', '..', 'd', 'f']);
        const h = ro.open(r, 'f', { read: true });
        const attempts: [string, () => unknown][] = [
          ['open write', () => ro.open(r, 'f', { write: true })],
          ['open append', () => ro.open(r, 'f', { append: true })],
          ['open truncate', () => ro.open(r, 'f', { read: true, truncate: true })],
          ['open create', () => ro.open(r, 'new', { write: true, create: true })],
          ['mkdir', () => ro.mkdir(r, 'x')],
          ['rmdir', () => ro.rmdir(r, 'd')],
          ['unlink', () => ro.unlink(r, 'f')],
          ['rename', () => ro.rename(r, 'f', r, 'g')],
          ['link', () => ro.link(r, 'f', r, 'g')],
          ['symlink', () => ro.symlink('f', r, 'g')],
          ['truncate', () => ro.truncate(r, 'f', 0n)],
          ['setTimes', () => ro.setTimes(r, 'f', { mtim: 'now' }, true)],
          ['fsetTimes', () => ro.fsetTimes(h, { mtim: 'now' })],
        ];
        for (const [label, call] of attempts) expect([label, errnoOf(call)]).toEqual([label, 'rofs']);
        expect(readFile(ro, r, 'd/g')).toBe('in d');
        expect(ro.stat(r, 'f').size).toBe(4n);
      } finally {
        done();
      }
    });
  });
});

// A transcript of mixed operations, normalised (inodes renumbered by first appearance), must be
// identical on both backends: anything POSIX fixes must not depend on the backend.
describe('both backends agree', () => {
  function transcript(fsys: FileSystem): string[] {
    const root = fsys.openRoot();
    const inos = new Map<bigint, number>();
    const ino = (n: bigint) => {
      if (!inos.has(n)) inos.set(n, inos.size);
      return inos.get(n);
    };
    const out: string[] = [];
    const step = (label: string, call: () => unknown) => {
      try {
        const result = call();
        out.push(`${label} -> ${JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
      } catch (error) {
        out.push(`${label} !! ${errnoOf(() => {
          throw error;
        })}`);
      }
    };
    const shape = (p: string, follow: boolean) => {
      const st = follow ? fsys.stat(root, p) : fsys.lstat(root, p);
      return { type: st.filetype, nlink: st.nlink, ino: ino(st.ino), size: st.filetype === 'directory' ? null : st.size };
    };
    const names = [
      'a', 'b', 'd', 'd/e', 'd/e/f', 'l', 'd/..', 'd/e/..', 'l/', 'd/l2', '../x', '/abs', 'd//e/', 'nope/x',
    ];
    step('mkdir d', () => fsys.mkdir(root, 'd'));
    step('mkdir d/e', () => fsys.mkdir(root, 'd/e'));
    step('write a', () => writeFile(fsys, root, 'a', 'alpha'));
    step('symlink l', () => fsys.symlink('d/e', root, 'l'));
    step('symlink d/l2', () => fsys.symlink('../a', root, 'd/l2'));
    step('write l/f', () => writeFile(fsys, root, 'l/f', 'via link'));
    step('link a b', () => fsys.link(root, 'a', root, 'b'));
    for (const p of names) {
      step(`stat ${p}`, () => shape(p, true));
      step(`lstat ${p}`, () => shape(p, false));
      step(`readlink ${p}`, () => fsys.readlink(root, p));
    }
    step('readdir /', () => fsys.readdir(root).map((e) => [e.name, e.type, ino(e.ino)]));
    step('rename l/f d/g', () => fsys.rename(root, 'l/f', root, 'd/g'));
    step('rename d/e a', () => fsys.rename(root, 'd/e', root, 'a'));
    step('rename a d/e', () => fsys.rename(root, 'a', root, 'd/e'));
    step('unlink d/l2', () => fsys.unlink(root, 'd/l2'));
    step('rmdir l', () => fsys.rmdir(root, 'l'));
    step('rmdir d/e', () => fsys.rmdir(root, 'd/e'));
    step('read d/g', () => readFile(fsys, root, 'd/g'));
    step('read l2 (dangling)', () => readFile(fsys, root, 'l'));
    step('readdir d', () => {
      const h = fsys.open(root, 'd', { directory: true });
      return fsys.readdir(h).map((e) => [e.name, e.type, ino(e.ino)]);
    });
    return out;
  }

  it('produces the same transcript', () => {
    const [memory, host] = backends.map((b) => {
      const { fs: fsys, cleanup } = b.make();
      try {
        return transcript(fsys);
      } finally {
        cleanup();
      }
    });
    expect(memory!.length).toBeGreaterThan(40);
    expect(host).toEqual(memory);
    // The transcript must contain both successes and refusals to be worth comparing.
    expect(memory!.some((line) => line.includes(' !! perm'))).toBe(true);
    expect(memory!.some((line) => line.includes(' !! notdir'))).toBe(true);
  });
});
