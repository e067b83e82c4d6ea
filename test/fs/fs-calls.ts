// The FileSystem calls the behaviour suites share, with no Node import: the browser run of the suite
// (test/browser/opfs-fs.test.ts) bundles them too.
import { expect } from 'vitest';
import { WasiError, type ErrnoName } from '../../src/abi/wasi-error.js';
import type { FileSystem, Handle } from '../../src/fs/types.js';

/** Runs `call` and returns the errno it threw; fails the test if it did not throw an WasiError. */
export function errnoOf(call: () => unknown): ErrnoName {
  try {
    call();
  } catch (error) {
    if (error instanceof WasiError) return error.errno;
    throw error;
  }
  throw new Error('expected an WasiError, but the call succeeded');
}

export function expectErrno(call: () => unknown, errno: ErrnoName): void {
  expect(errnoOf(call)).toBe(errno);
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Creates (or replaces) a file with `content` under the directory handle `dir`. */
export function writeFile(fsys: FileSystem, dir: number, p: string, content: string | Uint8Array): void {
  const h = fsys.open(dir, p, { write: true, create: true, truncate: true });
  try {
    fsys.write(h, typeof content === 'string' ? text(content) : content);
  } finally {
    fsys.close(h);
  }
}

export function readFile(fsys: FileSystem, dir: number, p: string): string {
  const h = fsys.open(dir, p, { read: true });
  try {
    let out = '';
    for (;;) {
      const chunk = readN(fsys, h, 4096);
      if (chunk.length === 0) return out;
      out += str(chunk);
    }
  } finally {
    fsys.close(h);
  }
}

/** Reads up to `n` bytes at the position (a fresh buffer for tests; the interface fills the caller's). */
export function readN(fsys: FileSystem, h: Handle, n: number): Uint8Array {
  const into = new Uint8Array(n);
  return into.slice(0, fsys.read(h, into));
}

/** Reads up to `n` bytes at `offset`. */
export function preadN(fsys: FileSystem, h: Handle, n: number, offset: bigint): Uint8Array {
  const into = new Uint8Array(n);
  return into.slice(0, fsys.pread(h, into, offset));
}
