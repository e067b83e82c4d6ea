// fd_readdir as a guest pages through it: following each entry's d_next with a small buffer gives
// every entry exactly once, and cookie 0 lists the directory afresh (what wasi-libc's rewinddir
// relies on). The dirent layout comes from wasi-libc's header, not from our generated code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../src/index.js';
import { parseWasiLibcHeader } from '../helpers/wasi-libc-header.js';
import { tempDir } from '../helpers/run-program.js';
import { ERRNO, OFLAGS, RIGHTS, boundWasi, headerText } from './harness.js';

const DIRENT = parseWasiLibcHeader(headerText()).types.get('dirent')!;
const SIZE = DIRENT.size!;
const at = (field: string) => DIRENT.offsets.get(field)!;

const NAMES = ['a', 'bb', 'ccc-longer-name', 'd', 'é-utf8', 'f0', 'f1', 'f2', 'f3', 'sub'];
const BUF = 4096;
const OUT = 16;

const host = tempDir('wasi-kit-readdir-');
afterAll(() => host.cleanup());
let listings = 0;

/** A preopen at fd 3 holding NAMES (files, and `sub` a directory) on the memory or the host filesystem. */
function preopen(kind: 'memory' | 'host'): string | MemoryFileSystem {
  if (kind === 'memory') return new MemoryFileSystem(Object.fromEntries(NAMES.map((n) => [n === 'sub' ? '/sub/x' : `/${n}`, n])));
  const dir = join(host.path, `listing-${++listings}`); // fresh for each test: one adds a file
  mkdirSync(join(dir, 'sub'), { recursive: true });
  for (const n of NAMES) if (n !== 'sub') writeFileSync(join(dir, n), n);
  return dir;
}

async function directory(kind: 'memory' | 'host') {
  const g = await boundWasi({ preopens: { '/d': preopen(kind) } });
  const [errno, fd] = g.open(3, '.', { oflags: OFLAGS.directory, base: RIGHTS.fd_readdir! });
  expect(errno).toBe(ERRNO.success);
  const dec = new TextDecoder();
  /** One fd_readdir call: the entries that fit whole, and how many bytes were filled. */
  const page = (cookie: bigint, bufLen: number) => {
    g.u8().fill(0xaa, BUF, BUF + bufLen);
    expect(g.call('fd_readdir', fd, BUF, bufLen, cookie, OUT)).toBe(ERRNO.success);
    const used = g.view().getUint32(OUT, true);
    const v = g.view();
    const entries: { name: string; next: bigint }[] = [];
    for (let p = BUF; p + SIZE <= BUF + used; ) {
      const len = v.getUint32(p + at('d_namlen'), true);
      if (p + SIZE + len > BUF + used) break; // cut short: the guest retries from this entry
      entries.push({ name: dec.decode(g.u8().subarray(p + SIZE, p + SIZE + len)), next: v.getBigUint64(p + at('d_next'), true) });
      p += SIZE + len;
    }
    return { used, entries };
  };
  /** Everything, paging with `bufLen` from each last whole entry's d_next, as wasi-libc's readdir does. */
  const all = (bufLen: number) => {
    const names: string[] = [];
    let cookie = 0n;
    for (let calls = 0; calls < 100; calls++) {
      const { used, entries } = page(cookie, bufLen);
      names.push(...entries.map((e) => e.name));
      if (used < bufLen) return names;
      expect(entries.length, `a ${bufLen}-byte buffer holds at least one entry`).toBeGreaterThan(0);
      cookie = entries.at(-1)!.next;
    }
    throw new Error('fd_readdir never returned a short buffer');
  };
  return { g, fd, page, all };
}

describe.each(['memory', 'host'] as const)('fd_readdir on the %s filesystem', (kind) => {
  const expected = ['.', '..', ...NAMES].sort();
  const longest = SIZE + Math.max(...expected.map((n) => Buffer.byteLength(n)));

  it.each([longest, longest + 7, 2 * SIZE + 5, 3 * longest, 1024])('paging by d_next with a %i-byte buffer gives every entry exactly once', async (bufLen) => {
    const d = await directory(kind);
    expect(d.all(bufLen).sort()).toEqual(expected);
  });

  it('cookie 0 lists the directory afresh: a file made after the first listing appears', async () => {
    const d = await directory(kind);
    expect(d.all(1024)).not.toContain('late');
    const [errno, fd] = d.g.open(3, 'late', { oflags: OFLAGS.creat });
    expect(errno).toBe(ERRNO.success);
    expect(d.g.call('fd_close', fd)).toBe(ERRNO.success);
    expect(d.all(1024).sort()).toEqual([...expected, 'late'].sort());
  });
});
