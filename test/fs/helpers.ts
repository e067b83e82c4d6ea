import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from "vitest";
import { FsError, type FsErrno } from '../../src/fs/errors.js';
import { HostFileSystem } from '../../src/fs/host-fs.js';
import '../helpers/memfs.js';
import { MemoryFileSystem } from '../../src/fs/memory-fs.js';
import type { FileSystem, FileSystemLimits, Handle } from '../../src/fs/types.js';

export interface Backend {
  name: string;
  /** Largest difference between a time set and the time read back. */
  timePrecisionNs: bigint;
  make(limits?: FileSystemLimits): { fs: FileSystem; cleanup(): void };
  /** A read-only filesystem holding `files` (relative paths to text). */
  makeReadOnly(files: Record<string, string>): { fs: FileSystem; cleanup(): void };
}

export function makeTempDir(prefix = 'wasi-kit-fs-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const backends: Backend[] = [
  {
    name: 'MemoryFileSystem',
    timePrecisionNs: 0n,
    make: (limits = {}) => ({ fs: new MemoryFileSystem({}, limits), cleanup: () => {} }),
    makeReadOnly: (files) => {
      const seed = Object.fromEntries(Object.entries(files).map(([p, c]) => [`/${p}`, c]));
      return { fs: new MemoryFileSystem(seed, { readOnly: true }), cleanup: () => {} };
    },
  },
  {
    name: 'HostFileSystem',
    // utimes takes seconds as a double: a quarter microsecond for present-day dates.
    timePrecisionNs: 1000n,
    make: (limits = {}) => {
      const dir = makeTempDir();
      return { fs: new HostFileSystem(dir, limits), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
    makeReadOnly: (files) => {
      const dir = makeTempDir();
      for (const [p, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
        fs.writeFileSync(path.join(dir, p), content);
      }
      return { fs: new HostFileSystem(dir, { readOnly: true }), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
  },
];

/** Runs `call` and returns the errno it threw; fails the test if it did not throw an FsError. */
export function errnoOf(call: () => unknown): FsErrno {
  try {
    call();
  } catch (error) {
    if (error instanceof FsError) return error.errno;
    throw error;
  }
  throw new Error('expected an FsError, but the call succeeded');
}

export function expectErrno(call: () => unknown, errno: FsErrno): void {
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
