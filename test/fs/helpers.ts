import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HostFileSystem } from '../../src/fs/host-fs.js';
import '../helpers/memfs.js';
import { MemoryFileSystem } from '../../src/fs/memory-fs.js';
import type { FileSystem, FileSystemLimits } from '../../src/fs/types.js';

export * from './fs-calls.js';

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
    // utimes takes seconds as a double, but the exact values set are kept (src/fs/host-times.ts).
    timePrecisionNs: 0n,
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

/** A hash of the tree at `dir` (names, modes, sizes, times, links, contents), leaving out its top-level entry `skip`: what an escape would change. */
export function hashTree(dir: string, skip?: string): string {
  const hash = createHash('sha256');
  const visit = (rel: string) => {
    const full = path.join(dir, rel);
    const st = fs.lstatSync(full, { bigint: true });
    hash.update(`${rel}\0${st.mode}\0${st.size}\0${st.mtimeNs}\0${st.nlink}\0`);
    if (st.isSymbolicLink()) hash.update(fs.readlinkSync(full));
    else if (st.isFile()) hash.update(fs.readFileSync(full));
    else if (st.isDirectory()) {
      for (const name of fs.readdirSync(full).sort()) {
        const child = rel === '' ? name : `${rel}/${name}`;
        if (child !== skip) visit(child);
      }
    }
  };
  visit('');
  return hash.digest('hex');
}
