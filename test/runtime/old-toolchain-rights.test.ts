// Programs built by older toolchains ask path_open for fewer rights than they use: Rust's std before
// 2020 opened files without fd_filestat_get (rust-lang/rust#74972) and, for append without write, asked
// for no fd_write (#75189). A WAT guest opens as they did and makes the calls they then made.
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { tempDir } from '../helpers/run-program.js';
import { ERRNO, FDFLAGS, RIGHTS, wat } from './harness.js';

const right = (name: string): bigint => {
  const r = RIGHTS[name];
  if (r === undefined) throw new Error(`no right ${name} in wasi-libc's header`);
  return r;
};
const FD_READ = right('fd_read');
const APPEND = FDFLAGS.append!;

const OLD_GUEST = (base: bigint, fdflags: number) => `(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $stat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func $setRights (param i32 i64 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "f")
  (data (i32.const 16) "X")
  ;; ciovec at 32: one byte at 16
  (data (i32.const 32) "\\10\\00\\00\\00\\01\\00\\00\\00")
  (global $fd (mut i32) (i32.const -1))
  (func (export "open") (result i32)
    (call $open (i32.const 3) (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 0)
      (i64.const ${base}) (i64.const 0) (i32.const ${fdflags}) (i32.const 8))
    (global.set $fd (i32.load (i32.const 8))))
  (func (export "stat") (result i32) (call $stat (global.get $fd) (i32.const 128)))
  (func (export "size") (result i64) (i64.load (i32.const 160)))
  (func (export "write") (result i32) (call $write (global.get $fd) (i32.const 32) (i32.const 1) (i32.const 64)))
  (func (export "drop") (param i64) (result i32) (call $setRights (global.get $fd) (local.get 0) (i64.const 0)))
  (func (export "_initialize")))`;

interface Guest {
  open(): number;
  stat(): number;
  size(): bigint;
  write(): number;
  drop(rights: bigint): number;
}

async function guest(dir: string, base: bigint, fdflags: number, inheriting?: bigint): Promise<Guest> {
  const wasi = new WASI({ version: 'preview1', preopens: { '/sandbox': dir } });
  const instance = new WebAssembly.Instance(await wat(OLD_GUEST(base, fdflags)), wasi.getImportObject() as WebAssembly.Imports);
  wasi.initialize(instance);
  const g = instance.exports as unknown as Guest;
  if (inheriting !== undefined) {
    // Narrow what the preopen hands down, as an embedder or the guest itself may.
    const set = wasi.wasiImport.fd_fdstat_set_rights as unknown as (fd: number, b: bigint, i: bigint) => number;
    expect(set(3, right('path_open') | right('fd_readdir'), inheriting)).toBe(ERRNO.success);
  }
  return g;
}

describe('rights old toolchains did not ask for', () => {
  it('a file opened for reading only may still be stat\'ed (rust-lang/rust#74972)', async () => {
    const t = tempDir();
    try {
      writeFileSync(join(t.path, 'f'), 'abc');
      const g = await guest(t.path, FD_READ, 0);
      expect(g.open()).toBe(ERRNO.success);
      expect(g.stat()).toBe(ERRNO.success);
      expect(g.size()).toBe(3n);
      // Granted, then dropped: removed rights are enforced as always.
      expect(g.drop(FD_READ)).toBe(ERRNO.success);
      expect(g.stat()).toBe(ERRNO.notcapable);
    } finally {
      t.cleanup();
    }
  });

  it('a file opened for append without fd_write may be written, at the end (rust-lang/rust#75189)', async () => {
    const t = tempDir();
    try {
      writeFileSync(join(t.path, 'f'), 'abc');
      const g = await guest(t.path, FD_READ, APPEND);
      expect(g.open()).toBe(ERRNO.success);
      expect(g.write()).toBe(ERRNO.success);
      expect(readFileSync(join(t.path, 'f'), 'utf8')).toBe('abcX');
    } finally {
      t.cleanup();
    }
  });

  it('never beyond what the directory lets its children have', async () => {
    const t = tempDir();
    try {
      writeFileSync(join(t.path, 'f'), 'abc');
      const g = await guest(t.path, FD_READ, APPEND, FD_READ);
      expect(g.open()).toBe(ERRNO.success);
      expect(g.stat()).toBe(ERRNO.notcapable);
      expect(g.write()).toBe(ERRNO.notcapable);
      expect(readFileSync(join(t.path, 'f'), 'utf8')).toBe('abc');
    } finally {
      t.cleanup();
    }
  });

  it('a file opened for reading without append still may not write', async () => {
    const t = tempDir();
    try {
      writeFileSync(join(t.path, 'f'), 'abc');
      const g = await guest(t.path, FD_READ, 0);
      expect(g.open()).toBe(ERRNO.success);
      expect(g.write()).toBe(ERRNO.notcapable);
    } finally {
      t.cleanup();
    }
  });
});
