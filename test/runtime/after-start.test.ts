// node:wasi keeps an instance usable after `_start` returns: its exports may still make WASI calls on
// the same fds. wasi-kit does the same, and releases everything on `close()` (or `[Symbol.dispose]`);
// `run()` closes at the end as before. A guest closing fd 1 never closes the host fd behind it.
import { closeSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { tempDir } from '../helpers/run-program.js';
import { ERRNO, wat } from './harness.js';

// _start opens "log" in the preopen (fd 3) and writes "first"; `later` writes "later" to the same fd;
// `closeStdout` closes fd 1.
const GUEST = `(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "log")
  (data (i32.const 16) "first")
  (data (i32.const 24) "later")
  (global $fd (mut i32) (i32.const -1))
  (func $put (param $at i32) (result i32)
    (i32.store (i32.const 32) (local.get $at))
    (i32.store (i32.const 36) (i32.const 5))
    (call $write (global.get $fd) (i32.const 32) (i32.const 1) (i32.const 40)))
  (func (export "_start")
    (if (call $open (i32.const 3) (i32.const 1) (i32.const 0) (i32.const 3) (i32.const 1)
          (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 8))
      (then unreachable))
    (global.set $fd (i32.load (i32.const 8)))
    (drop (call $put (i32.const 16))))
  (func (export "later") (result i32) (call $put (i32.const 24)))
  (func (export "closeStdout") (result i32) (call $close (i32.const 1))))`;

/** Host fds this process has open (Linux). */
const openFds = () => readdirSync('/proc/self/fd').length;

async function started(dir: string, extra: { stdout?: number } = {}) {
  const wasi = new WASI({ version: 'preview1', preopens: { '/sandbox': dir }, ...extra });
  const instance = new WebAssembly.Instance(await wat(GUEST), wasi.getImportObject() as WebAssembly.Imports);
  expect(wasi.start(instance)).toBe(0);
  return { wasi, exports: instance.exports as unknown as { later(): number; closeStdout(): number } };
}

describe('after start() returns', () => {
  it('an export may still write to a file the program opened, until close()', async () => {
    const t = tempDir();
    try {
      const { wasi, exports } = await started(t.path);
      expect(exports.later()).toBe(ERRNO.success);
      expect(readFileSync(join(t.path, 'log'), 'utf8')).toBe('firstlater');
      wasi.close();
      expect(exports.later()).toBe(ERRNO.badf);
      wasi.close(); // again: nothing left to close
      expect(readFileSync(join(t.path, 'log'), 'utf8')).toBe('firstlater');
    } finally {
      t.cleanup();
    }
  });

  it('close() releases the host fds of the preopen and of the files opened (counted)', async () => {
    const t = tempDir();
    try {
      const before = openFds();
      const { wasi } = await started(t.path);
      // The preopen's directory and the file "log".
      expect(openFds()).toBe(before + 2);
      wasi.close();
      expect(openFds()).toBe(before);
      // Disposal is close() too.
      const second = await started(t.path);
      expect(openFds()).toBe(before + 2);
      second.wasi[Symbol.dispose]();
      expect(openFds()).toBe(before);
    } finally {
      t.cleanup();
    }
  });

  it('run() closes at the end, as before', async () => {
    const t = tempDir();
    try {
      const before = openFds();
      const wasi = new WASI({ version: 'preview1', preopens: { '/sandbox': t.path } });
      expect(await wasi.run(await wat(GUEST))).toBe(0);
      expect(openFds()).toBe(before);
      expect(readFileSync(join(t.path, 'log'), 'utf8')).toBe('first');
    } finally {
      t.cleanup();
    }
  });

  it('a guest closing fd 1 leaves the host fd the embedder passed open (node:wasi closes it)', async () => {
    const t = tempDir();
    const out = join(t.path, 'out.txt');
    const hostFd = openSync(out, 'w');
    try {
      const { wasi, exports } = await started(t.path, { stdout: hostFd });
      expect(exports.closeStdout()).toBe(ERRNO.success);
      wasi.close();
      writeSync(hostFd, 'still mine');
      expect(readFileSync(out, 'utf8')).toBe('still mine');
    } finally {
      closeSync(hostFd);
      t.cleanup();
    }
  });
});

