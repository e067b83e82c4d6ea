// Adversarial suite: a guest confined to <tmp>/root tries every way out we could think of to
// reach <tmp>/secret (and <tmp> itself). Every attempt must fail with an expected errno and
// leave everything outside the root (and, since they all fail, inside too) byte-for-byte alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WasiError, type ErrnoName } from '../../src/abi/wasi-error.js';
import { HostFileSystem } from '../../src/fs/host-fs.js';
import { hashTree, makeTempDir, readFile, text } from './helpers.js';

describe('HostFileSystem sandbox', () => {
  let tmp: string;
  let hostRoot: string;
  let guest: HostFileSystem;

  beforeAll(() => {
    tmp = makeTempDir('wasi-kit-sandbox-');
    hostRoot = path.join(tmp, 'root');
    const secret = path.join(tmp, 'secret');
    fs.mkdirSync(path.join(hostRoot, 'sub/deep/x'), { recursive: true });
    fs.mkdirSync(path.join(secret, 'nested'), { recursive: true });
    fs.writeFileSync(path.join(hostRoot, 'inside.txt'), 'inside');
    fs.writeFileSync(path.join(secret, 's.txt'), 'TOP SECRET');
    fs.writeFileSync(path.join(secret, 'nested/n.txt'), 'nested secret');
    fs.writeFileSync(path.join(tmp, 'beside-root.txt'), 'beside');
    fs.symlinkSync('s.txt', path.join(secret, 'inner-link'));
    const links: Record<string, string> = {
      'link-out-rel': '../secret',
      'link-out-abs': secret,
      'link-out-file': '../secret/s.txt',
      'link-out-beside': '../beside-root.txt',
      'link-root-abs': hostRoot,
      'link-chain1': 'link-chain2',
      'link-chain2': 'sub/../../secret',
      'loop-a': 'loop-b',
      'loop-b': 'loop-a',
      'sub/up': '../..',
      'sub/deep/up2': '../../..',
      'sub/to-chain': '../link-chain1',
      'dotdot': '..',
    };
    for (const [at, target] of Object.entries(links)) fs.symlinkSync(target, path.join(hostRoot, at));
    guest = new HostFileSystem(hostRoot);
  });

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lets nothing out', () => {
    const root = guest.openRoot();
    const sub = guest.open(root, 'sub', { directory: true });
    const outside = () => hashTree(tmp, 'root');
    const inside = () => hashTree(hostRoot);
    const outsideBefore = outside();
    const insideBefore = inside();

    // Paths that leave before their last component, so following or not makes no difference.
    const escapeAlways = new Set<string>([
      '..', '../', '../secret', '../secret/s.txt', '../root/inside.txt', './../secret/s.txt', './/..//secret',
      'sub/../../secret/s.txt', 'sub/deep/../../../secret/s.txt', 'sub/../../root/inside.txt',
      'sub/../../root/x', 'sub/deep/../../../root/sub', '../beside-root.txt', '../new-file',
      '/', '/etc/passwd', `${tmp}/secret/s.txt`, `${hostRoot}/inside.txt`, hostRoot,
      'link-out-rel/', 'link-out-rel/s.txt', 'link-out-rel/nested/n.txt', 'link-out-rel/inner-link',
      'link-out-rel/new', 'link-out-abs/s.txt', 'link-out-abs/', 'link-out-file/', 'link-chain1/s.txt',
      'link-root-abs/inside.txt', 'link-root-abs/', 'sub/up/secret/s.txt', 'sub/up/', 'sub/deep/up2/root/inside.txt',
      'sub/to-chain/s.txt', 'dotdot/secret/s.txt', 'dotdot/', 'dotdot/root/inside.txt',
    ]);
    // `..` in every position of a three-deep path.
    const deep = ['sub', 'deep', 'x'];
    for (let at = 0; at <= deep.length; at++) {
      const climb = Array<string>(at + 1).fill('..');
      escapeAlways.add([...deep.slice(0, at), ...climb, 'secret', 's.txt'].join('/'));
      escapeAlways.add([...deep.slice(0, at), ...climb, 'root', 'inside.txt'].join('/'));
    }
    // Symlinks in the last position that lead out: refused only when followed.
    const escapeWhenFollowed = [
      'link-out-rel', 'link-out-abs', 'link-out-file', 'link-out-beside', 'link-root-abs', 'link-chain1',
      'sub/up', 'sub/deep/up2', 'sub/to-chain', 'dotdot',
    ];
    const loops = ['loop-a', 'loop-a/x', 'loop-b/'];

    type Attempt = { label: string; call: () => unknown; expected: ErrnoName[] };
    const attempts: Attempt[] = [];
    const add = (label: string, call: () => unknown, expected: ErrnoName[] = ['perm']) =>
      attempts.push({ label, call, expected });

    for (const p of [...escapeAlways, ...escapeWhenFollowed]) {
      add(`stat ${p}`, () => guest.stat(root, p));
      add(`open read ${p}`, () => guest.open(root, p, { read: true }));
      add(`open write ${p}`, () => guest.open(root, p, { write: true }));
      add(`open create ${p}`, () => guest.open(root, p, { write: true, create: true }));
      add(`open trunc ${p}`, () => guest.open(root, p, { write: true, truncate: true }));
      add(`open append ${p}`, () => guest.open(root, p, { append: true }));
      add(`open dir ${p}`, () => guest.open(root, p, { directory: true }));
      add(`truncate ${p}`, () => guest.truncate(root, p, 0n));
      add(`setTimes follow ${p}`, () => guest.setTimes(root, p, { mtim: 0n }, true));
    }
    for (const p of escapeWhenFollowed) {
      add(`open nofollow ${p}`, () => guest.open(root, p, { read: true, nofollow: true }), ['loop']);
      add(`open excl ${p}`, () => guest.open(root, p, { write: true, create: true, exclusive: true }), ['exist']);
      add(`mkdir over link ${p}`, () => guest.mkdir(root, p), ['exist']);
      add(`rmdir link ${p}`, () => guest.rmdir(root, p), ['notdir']);
      add(`readdir through ${p}`, () => guest.readdir(guest.open(root, p, { read: true })));
    }
    for (const p of escapeAlways) {
      add(`lstat ${p}`, () => guest.lstat(root, p));
      add(`readlink ${p}`, () => guest.readlink(root, p));
      add(`open nofollow ${p}`, () => guest.open(root, p, { read: true, nofollow: true }));
      add(`open excl ${p}`, () => guest.open(root, p, { write: true, create: true, exclusive: true }));
      add(`setTimes nofollow ${p}`, () => guest.setTimes(root, p, { atim: 0n, mtim: 0n }, false));
      add(`mkdir ${p}`, () => guest.mkdir(root, p));
      add(`mkdir ${p}/made`, () => guest.mkdir(root, `${p}/made`));
      add(`rmdir ${p}`, () => guest.rmdir(root, p));
      add(`unlink ${p}`, () => guest.unlink(root, p));
      add(`symlink at ${p}`, () => guest.symlink('inside.txt', root, p));
      add(`rename out to ${p}`, () => guest.rename(root, 'inside.txt', root, p));
      add(`rename in from ${p}`, () => guest.rename(root, p, root, 'stolen'));
      add(`link out to ${p}`, () => guest.link(root, 'inside.txt', root, p));
      add(`link in from ${p}`, () => guest.link(root, p, root, 'stolen'));
      // From a subdirectory handle, even a path back into the preopen is out of bounds.
      if (!p.startsWith('/')) add(`stat from sub ../${p}`, () => guest.stat(sub, `../${p}`));
    }
    for (const p of ['..', '../inside.txt', '../sub', 'up', 'up/secret', 'deep/../..', '../../secret/s.txt']) {
      add(`sub-handle stat ${p}`, () => guest.stat(sub, p));
      add(`sub-handle create ${p}/f`, () => guest.open(sub, `${p}/f`, { write: true, create: true }));
      add(`sub-handle mkdir ${p}/d`, () => guest.mkdir(sub, `${p}/d`));
    }
    for (const p of loops) {
      add(`stat loop ${p}`, () => guest.stat(root, p), ['loop']);
      add(`open loop ${p}`, () => guest.open(root, p, { write: true, create: true }), ['loop']);
    }
    add('open NUL', () => guest.open(root, 'inside.txt\0../../secret/s.txt', { read: true }), ['inval']);

    let escapes = 0;
    const unexpected: string[] = [];
    for (const { label, call, expected } of attempts) {
      let errno: ErrnoName | undefined;
      try {
        call();
      } catch (error) {
        if (!(error instanceof WasiError)) throw error;
        errno = error.errno;
      }
      if (errno === undefined || outside() !== outsideBefore) escapes += 1;
      if (errno === undefined || !expected.includes(errno)) unexpected.push(`${label}: ${errno ?? 'succeeded'}`);
    }
    console.log(`sandbox: ${attempts.length} attempts, ${escapes} escapes`);
    expect(escapes).toBe(0);
    expect(unexpected).toEqual([]);
    expect(attempts.length).toBeGreaterThan(500);
    expect(outside()).toBe(outsideBefore);
    expect(inside()).toBe(insideBefore);
  });

  it('readlink of a link that points out shows the stored text only', () => {
    const root = guest.openRoot();
    expect(guest.readlink(root, 'link-out-rel')).toBe('../secret');
    expect(guest.readlink(root, 'link-out-abs')).toBe(path.join(tmp, 'secret'));
    expect(guest.lstat(root, 'link-out-file').filetype).toBe('symbolic_link');
  });

  it('may create a symlink pointing out, but following it never leaves', () => {
    const { fs: scratch, root } = { fs: guest, root: guest.openRoot() };
    scratch.symlink('../secret/s.txt', root, 'made-out');
    try {
      expect(() => readFile(scratch, root, 'made-out')).toThrow(expect.objectContaining({ errno: 'perm' }));
      expect(() => scratch.open(root, 'made-out', { write: true, truncate: true })).toThrow(
        expect.objectContaining({ errno: 'perm' }),
      );
      expect(fs.readFileSync(path.join(tmp, 'secret/s.txt'), 'utf8')).toBe('TOP SECRET');
    } finally {
      scratch.unlink(root, 'made-out');
    }
  });

  it('reports the root as its own parent in readdir and stays usable inside', () => {
    const root = guest.openRoot();
    const [dot, dotdot] = guest.readdir(root);
    expect(dotdot!.ino).toBe(dot!.ino);
    expect(dot!.ino).not.toBe(fs.statSync(tmp, { bigint: true }).ino);
    expect(readFile(guest, root, 'sub/../inside.txt')).toBe('inside');
    expect(readFile(guest, root, 'sub/deep/../../inside.txt')).toBe('inside');
    const h = guest.open(root, 'sub/deep/new.txt', { write: true, create: true });
    guest.write(h, text('ok'));
    guest.close(h);
    guest.unlink(root, 'sub/deep/new.txt');
  });
});
