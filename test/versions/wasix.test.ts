// WASIX (`wasix_32v1`): preview1's functions served in that namespace, the 86 extensions (the few
// implemented ones, and `notsup` without touching memory for the rest), `auto`, `versionOf`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { ProcExit } from '../../src/errors.js';
import { WASIX_NOTSUP } from '../../src/handlers/wasix.js';
import type { AbiJson } from '../../src/abi/abi-json.js';
import { wat } from '../runtime/harness.js';
import { guest, type Sig, wasixCases } from './guest.js';

const ERRNO = Object.fromEntries(wasixCases('errno').map((n, i) => [n, i]));
const SIGNALS = wasixCases('signal');
const ABI = JSON.parse(readFileSync(new URL('../../generated/wasix/abi.json', import.meta.url), 'utf8')) as AbiJson;

describe("version: 'wasix'", () => {
  it('errno numbers come from the WASIX WITX: notsup is 58, success 0', () => {
    expect(ERRNO).toMatchObject({ success: 0, notsup: 58, inval: 28 });
  });

  it('a program importing fd_write and args_get from wasix_32v1 runs', async () => {
    // _start: args_get into 0 (argv) / 64 (bytes), write argv[1] ("hello", 5 bytes) to stdout.
    const m = await wat(`(module
      (import "wasix_32v1" "args_get" (func $args (param i32 i32) (result i32)))
      (import "wasix_32v1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasix_32v1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (if (call $args (i32.const 0) (i32.const 64)) (then (call $exit (i32.const 100))))
        (i32.store (i32.const 200) (i32.load (i32.const 4)))
        (i32.store (i32.const 204) (i32.const 5))
        (if (call $write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 208)) (then (call $exit (i32.const 101))))
        (call $exit (i32.load (i32.const 208)))))`);
    const out: Uint8Array[] = [];
    const wasi = new WASI({ version: 'wasix', args: ['prog', 'hello'], stdout: (b) => void out.push(Uint8Array.from(b)) });
    expect(Object.keys(wasi.getImportObject())).toEqual(['wasix_32v1']);
    const instance = new WebAssembly.Instance(m, wasi.getImportObject() as WebAssembly.Imports);
    expect(wasi.start(instance)).toBe(5);
    expect(Buffer.concat(out).toString()).toBe('hello');
  });

  it('wasix_32v1 holds every preview1 function, the 86 extensions and the 2023 ABI\'s five names the WITX lost', () => {
    const p1 = Object.keys(new WASI({ version: 'preview1' }).wasiImport);
    const names = Object.keys(new WASI({ version: 'wasix' }).getImportObject().wasix_32v1!);
    const lost = ['thread_spawn', 'thread_local_create', 'thread_local_destroy', 'thread_local_set', 'thread_local_get'];
    expect(names.sort()).toEqual([...p1, ...ABI.functions.map((f) => f.name), ...lost].sort());
    expect(names).toHaveLength(p1.length + 86 + 5);
  });

  it('proc_fork returns notsup and leaves memory untouched', async () => {
    const g = await guest('wasix', [['wasix_32v1', 'proc_fork', 'i32 i32']]);
    g.fill(0, 65536, 0xa5);
    const before = g.bytes(0, 65536);
    expect(g.call('wasix_32v1', 'proc_fork', 0, 200)).toBe(ERRNO.notsup);
    expect(g.bytes(0, 65536)).toEqual(before);
  });

  it('every notsup extension answers notsup (or traps, for the three without an errno) and writes nothing', async () => {
    const fns = ABI.functions.filter((f) => f.name in WASIX_NOTSUP);
    expect(fns).toHaveLength(Object.keys(WASIX_NOTSUP).length);
    const sigs: Sig[] = fns.map((f) => ['wasix_32v1', f.name, f.core.params.map((p) => p.type).join(' '), f.core.results.length > 0]);
    const g = await guest('wasix', sigs);
    for (const f of fns) {
      g.fill(0, 65536, 0x5a);
      const before = g.bytes(0, 65536);
      // Pointers at 1024 (aligned for anything), lengths 0, values 0 (a valid enum value everywhere).
      const args = f.core.params.map((p) => (p.type === 'i64' ? 0n : p.role === 'pointer' || p.role === 'out' ? 1024 : 0));
      if (f.noreturn) expect(() => g.call('wasix_32v1', f.name, ...args), f.name).toThrow(WebAssembly.RuntimeError);
      else expect(g.call('wasix_32v1', f.name, ...args), f.name).toBe(ERRNO.notsup);
      expect(g.bytes(0, 65536).every((b, i) => b === before[i]), `${f.name} left memory as it was`).toBe(true);
    }
  });

  it('a misaligned out-pointer is answered before notsup: the shim checks out-pointers first', async () => {
    const g = await guest('wasix', [['wasix_32v1', 'proc_fork', 'i32 i32']]);
    expect(g.call('wasix_32v1', 'proc_fork', 0, 1025)).toBe(ERRNO.inval);
    expect(g.call('wasix_32v1', 'proc_fork', 0, 1024)).toBe(ERRNO.notsup);
  });

  it('implemented: proc_id and thread_id are 1, thread_sleep(0) succeeds, callback_signal is accepted', async () => {
    const g = await guest('wasix', [
      ['wasix_32v1', 'proc_id', 'i32'],
      ['wasix_32v1', 'thread_id', 'i32'],
      ['wasix_32v1', 'thread_sleep', 'i64'],
      ['wasix_32v1', 'callback_signal', 'i32 i32', false],
    ]);
    expect(g.call('wasix_32v1', 'proc_id', 16)).toBe(0);
    expect(g.call('wasix_32v1', 'thread_id', 20)).toBe(0);
    expect([g.view().getUint32(16, true), g.view().getUint32(20, true)]).toEqual([1, 1]);
    expect(g.call('wasix_32v1', 'thread_sleep', 0n)).toBe(0);
    const n = g.put(100, '_signal');
    expect(g.call('wasix_32v1', 'callback_signal', 100, n)).toBeUndefined();
  });

  it('thread_exit of the only thread ends the process with its code', async () => {
    const g = await guest('wasix', [['wasix_32v1', 'thread_exit', 'i32', false]]);
    let err: unknown;
    try {
      g.call('wasix_32v1', 'thread_exit', 7);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProcExit);
    expect((err as ProcExit).exitCode).toBe(7);
  });

  it('proc_raise takes WASIX signal numbers: stkflt (16), which preview1 lacks, ends the guest with 128 + 16', async () => {
    expect(SIGNALS.indexOf('stkflt')).toBe(16);
    const g = await guest('wasix', [['wasix_32v1', 'proc_raise', 'i32']]);
    let err: unknown;
    try {
      g.call('wasix_32v1', 'proc_raise', 16);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProcExit);
    expect((err as ProcExit).exitCode).toBe(128 + 16);
    expect(g.call('wasix_32v1', 'proc_raise', SIGNALS.length)).toBe(ERRNO.inval);
    expect(() => g.call('wasix_32v1', 'proc_raise', SIGNALS.indexOf('term'))).toThrow(ProcExit);
  });
});

describe("version: 'auto' and versionOf with WASIX", () => {
  it('auto serves a module importing from both wasi_snapshot_preview1 and wasix_32v1', async () => {
    const m = await wat(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasix_32v1" "proc_parent" (func $parent (param i32 i32) (result i32)))
      (import "wasix_32v1" "proc_id" (func $pid (param i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 300) "ok")
      (func (export "_initialize"))
      (func (export "run") (result i32)
        (i32.store (i32.const 400) (i32.const -1))
        (if (call $parent (i32.const 1) (i32.const 400)) (then (return (i32.const 100))))
        (if (i32.load (i32.const 400)) (then (return (i32.const 103))))
        (if (call $pid (i32.const 408)) (then (return (i32.const 101))))
        (i32.store (i32.const 200) (i32.const 300))
        (i32.store (i32.const 204) (i32.add (i32.const 1) (i32.load (i32.const 408))))
        (if (call $write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 208)) (then (return (i32.const 102))))
        (i32.const 0)))`);
    const out: Uint8Array[] = [];
    const wasi = new WASI({ stdout: (b) => void out.push(Uint8Array.from(b)) });
    const instance = new WebAssembly.Instance(m, wasi.getImportObject() as WebAssembly.Imports);
    wasi.initialize(instance);
    expect((instance.exports.run as () => number)()).toBe(0);
    expect(Buffer.concat(out).toString()).toBe('ok');
  });

  it('versionOf detects wasix_32v1', async () => {
    const m = await wat('(module (import "wasix_32v1" "getcwd" (func (param i32 i32) (result i32))))');
    expect(WASI.versionOf(m)).toBe('wasix');
  });
});
