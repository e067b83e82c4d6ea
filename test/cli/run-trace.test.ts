import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { programPath, tempDir } from '../helpers/run-program.js';
import { cli, scratch, writeWat, WRITE_FILES_WAT } from './cli-helpers.js';

let writeFiles: string;
beforeAll(async () => {
  const t = tempDir('wasi-kit-cli-wat-');
  writeFiles = await writeWat(join(t.path, 'write-files.wasm'), WRITE_FILES_WAT);
  return t.cleanup;
});

/** Durations vary: `[4.1µs]` becomes `[T]`. */
const timeless = (s: string) => s.replace(/\d+(\.\d+)?(ns|µs|ms|s)\b/g, 'T');

describe('wasi-kit run --trace', () => {
  it("prints one line per syscall of hello on stderr; stdout stays the guest's", () => {
    const r = cli(['run', '--trace', programPath('hello')]);
    expect(r.stdout.toString()).toBe('hello, world\n');
    expect(timeless(r.stderr.toString()).split('\n')).toEqual([
      // stdout is a pipe here: an `unknown` filetype with the rights of a seekable stream.
      'fd_fdstat_get(fd=1) -> success {fs_filetype=unknown, fs_flags=0, fs_rights_base=fd_read|fd_seek|fd_fdstat_set_flags|fd_tell|fd_write|fd_filestat_get|poll_fd_readwrite, fs_rights_inheriting=0} [T]',
      'fd_write(fd=1, iovs=["hello, world", "\\n"]) -> success 13 [T]',
      '# 2 syscalls, 0 errors, T in the host',
      '',
    ]);
    expect(r.status).toBe(0);
  });

  it('writes the trace to a file with --trace=FILE, following paths and flags', () => {
    const dir = scratch();
    const data = join(dir, 'data');
    mkdirSync(data);
    const traceFile = join(dir, 'trace.txt');
    const r = cli(['run', `--trace=${traceFile}`, '--dir', `${data}::/d`, writeFiles]);
    expect(r.stderr.length).toBe(0);
    expect(r.status).toBe(0);
    const open = (path: string, fd: number) =>
      `path_open(fd=3, dirflags=0, path="${path}", oflags=creat|trunc, fs_rights_base=all|0xffffffffc0000000, fs_rights_inheriting=all|0xffffffffc0000000, fdflags=0) -> success ${fd} [T]`;
    expect(timeless(readFileSync(traceFile, 'utf8')).split('\n')).toEqual([
      open('keep.txt', 4),
      'fd_write(fd=4, iovs=["changed\\n"]) -> success 8 [T]',
      open('new.txt', 5),
      'fd_write(fd=5, iovs=["changed\\n"]) -> success 8 [T]',
      '# 4 syscalls, 0 errors, T in the host',
      '',
    ]);
  });

  it('traces errors by errno name, and proc_exit without a result', async () => {
    const wasm = await writeWat(
      join(scratch(), 'fail.wasm'),
      `(module
        (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (func (export "_start") (call $exit (call $close (i32.const 42)))))`,
    );
    const r = cli(['run', '--trace', wasm]);
    expect(timeless(r.stderr.toString())).toBe('fd_close(fd=42) -> badf [T]\nproc_exit(rval=8) [T]\n# 2 syscalls, 1 error, T in the host\n');
    expect(r.status).toBe(8);
  });

  it('ends the trace before the trap message', () => {
    const r = cli(['run', '--trace', programPath('trap')]);
    const lines = r.stderr.toString().split('\n');
    expect(lines.at(-3)).toMatch(/^# \d+ syscalls, 0 errors, /);
    expect(lines.at(-2)).toBe('wasi-kit: trap: unreachable');
    expect(r.status).toBe(134);
  });
});

describe('wasi-kit run --trace of WASIX', () => {
  it('decodes WASIX calls (the WITX extensions and the 2023 forms) instead of printing name(?)', async () => {
    const t = tempDir('wasi-kit-cli-wasix-');
    try {
      const wasm = await writeWat(
        join(t.path, 'wasix.wasm'),
        `(module
          (import "wasix_32v1" "getcwd" (func $getcwd (param i32 i32) (result i32)))
          (import "wasix_32v1" "thread_local_create" (func $tl_create (param i64 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store (i32.const 8) (i32.const 16))
            (drop (call $getcwd (i32.const 32) (i32.const 8)))
            (drop (call $tl_create (i64.const 42) (i32.const 64)))))`,
      );
      const r = cli(['run', '--trace', wasm]);
      const lines = timeless(r.stderr.toString()).split('\n');
      expect(lines[0]).toMatch(/^getcwd\(path=0x20, path_len=0x8\) -> success/);
      expect(lines[1]).toBe('thread_local_create(user_data=42) -> success 1 [T]');
      expect(r.stderr.toString()).not.toContain('(?)');
      expect(r.status).toBe(0);
    } finally {
      t.cleanup();
    }
  });
});
