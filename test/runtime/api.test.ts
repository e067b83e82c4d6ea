// The public API against node:wasi: the example from Node's documentation, misuse errors with the
// codes node:wasi gives (checked against node:wasi itself in each test), and the options.
import { WASI as NodeWASI } from 'node:wasi';
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI, WasiOptionError, WasiStateError, type TraceEvent } from '../../src/index.js';
import { ERRNO, FILETYPE, RIGHTS, boundWasi, wat } from './harness.js';

const HELLO_WAT = `
(module
  ;; Import the required fd_write WASI function which will write the given io vectors to stdout
  ;; The function signature for fd_write is:
  ;; (File Descriptor, *iovs, iovs_len, *nwritten) -> Returns 0 on success, nonzero on error
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  (export "memory" (memory 0))
  ;; Write 'hello world\\n' to memory at an offset of 8 bytes
  (data (i32.const 8) "hello world\\n")
  (func $main (export "_start")
    ;; Creating a new io vector within linear memory
    (i32.store (i32.const 0) (i32.const 8))  ;; iov.iov_base
    (i32.store (i32.const 4) (i32.const 12)) ;; iov.iov_len
    (call $fd_write
      (i32.const 1)  ;; file_descriptor - 1 for stdout
      (i32.const 0)  ;; *iovs
      (i32.const 1)  ;; iovs_len
      (i32.const 20) ;; nwritten
    )
    drop))`;

const collect = () => {
  const chunks: Uint8Array[] = [];
  return { sink: (b: Uint8Array) => void chunks.push(b), text: () => Buffer.concat(chunks).toString('utf8') };
};

/** What `f` throws (fails the test if it throws nothing). */
function thrown(f: () => unknown): Error & { code?: string; option?: string } {
  try {
    f();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

const EMPTY_START = `(module (memory (export "memory") 1) (func (export "_start")))`;

describe("Node's documentation example", () => {
  it('prints hello world through getImportObject()', async () => {
    const out = collect();
    const wasi = new WASI({ version: 'preview1', stdout: out.sink });
    const instance = await WebAssembly.instantiate(await wat(HELLO_WAT), wasi.getImportObject() as WebAssembly.Imports);
    expect(wasi.start(instance)).toBe(0);
    expect(out.text()).toBe('hello world\n');
  });

  it('prints hello world through { wasi_snapshot_preview1: wasi.wasiImport }', async () => {
    const out = collect();
    const wasi = new WASI({ version: 'preview1', stdout: out.sink });
    const instance = await WebAssembly.instantiate(await wat(HELLO_WAT), { wasi_snapshot_preview1: wasi.wasiImport } as WebAssembly.Imports);
    wasi.start(instance);
    expect(out.text()).toBe('hello world\n');
  });

  it('getImportObject() has the same shape as node:wasi', () => {
    const ours = new WASI({ version: 'preview1' }).getImportObject();
    const node = new NodeWASI({ version: 'preview1' }).getImportObject();
    expect(Object.keys(ours)).toEqual(Object.keys(node));
    expect(Object.keys(ours.wasi_snapshot_preview1!).sort()).toEqual(Object.keys((node as Record<string, object>).wasi_snapshot_preview1!).sort());
  });
});

describe('misuse errors match node:wasi', () => {
  const instanceOf = async (text: string, wasi: { getImportObject(): object }) =>
    new WebAssembly.Instance(await wat(text), wasi.getImportObject() as WebAssembly.Imports);

  it('start() twice: ERR_WASI_ALREADY_STARTED', async () => {
    const node = new NodeWASI({ version: 'preview1' });
    node.start(await instanceOf(EMPTY_START, node));
    const nodeErr = thrown(() => node.start({ exports: {} } as unknown as WebAssembly.Instance));
    const wasi = new WASI({ version: 'preview1' });
    const instance = await instanceOf(EMPTY_START, wasi);
    expect(wasi.start(instance)).toBe(0);
    const err = thrown(() => wasi.start(instance));
    expect(err.code).toBe(nodeErr.code);
    expect(err.code).toBe('ERR_WASI_ALREADY_STARTED');
    expect(err).toBeInstanceOf(WasiStateError);
  });

  it.each([
    ['_start missing', `(module (memory (export "memory") 1))`, 'instance.exports._start'],
    ['no exported memory', `(module (func (export "_start")))`, 'instance.exports.memory'],
    ['_initialize present with start', `(module (memory (export "memory") 1) (func (export "_start")) (func (export "_initialize")))`, 'instance.exports._initialize'],
  ])('start() with %s', async (_, text, option) => {
    const node = new NodeWASI({ version: 'preview1' });
    const nodeErr = thrown(() => node.start(new WebAssembly.Instance(wasmOf(text), node.getImportObject() as WebAssembly.Imports)));
    const wasi = new WASI({ version: 'preview1' });
    const err = thrown(() => wasi.start(new WebAssembly.Instance(wasmOf(text), wasi.getImportObject() as WebAssembly.Imports)));
    expect(err.code).toBe(nodeErr.code);
    expect(err).toBeInstanceOf(WasiOptionError);
    expect(err.option).toBe(option);
  });

  it.each([
    ['args not an array', { args: 'a b' }, 'options.args'],
    ['env not an object', { env: 'A=1' }, 'options.env'],
    ['version unknown', { version: 'preview9' }, 'options.version'],
    ['version not a string', { version: 1 }, 'options.version'],
    ['returnOnExit not a boolean', { returnOnExit: 'yes' }, 'options.returnOnExit'],
    ['preopens not an object', { preopens: 'x' }, 'options.preopens'],
    ['options not an object', 'preview1', 'options'],
  ])('new WASI() with %s', (_, options, option) => {
    const withVersion = typeof options === 'object' ? { version: 'preview1', ...options } : options;
    const nodeErr = thrown(() => new NodeWASI(withVersion as never));
    const err = thrown(() => new WASI(withVersion as never));
    expect(err).toBeInstanceOf(WasiOptionError);
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe(nodeErr.code);
    expect(err.option).toBe(option);
  });
});

describe('stricter than node:wasi', () => {
  it('args with a non-string element: node:wasi coerces it to a string, wasi-kit refuses', () => {
    expect(() => new NodeWASI({ version: 'preview1', args: ['a', 1] } as never)).not.toThrow();
    const err = thrown(() => new WASI({ version: 'preview1', args: ['a', 1] } as never));
    expect(err).toBeInstanceOf(WasiOptionError);
    expect(err.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(err.option).toBe('options.args');
  });
});

describe("wasi-kit's own options", () => {
  // Each option is checked on its own (src/options.ts): every one must still refuse a bad value, naming itself.
  it.each([
    [{ cwd: 'relative' }, 'options.cwd', 'ERR_INVALID_ARG_VALUE'],
    [{ stdin: -1 }, 'options.stdin', 'ERR_INVALID_ARG_VALUE'],
    [{ stdin: {} }, 'options.stdin', 'ERR_INVALID_ARG_TYPE'],
    [{ preopenSockets: [{}] }, 'options.preopenSockets[0]', 'ERR_INVALID_ARG_TYPE'],
    [{ network: { open: [] } }, 'options.network.open', 'ERR_INVALID_ARG_VALUE'],
    [{ stdout: 1.5 }, 'options.stdout', 'ERR_INVALID_ARG_VALUE'],
    [{ stderr: { fd: 2 } }, 'options.stderr.buffer', 'ERR_INVALID_ARG_TYPE'],
    [{ maxOpenFiles: 2 }, 'options.maxOpenFiles', 'ERR_INVALID_ARG_VALUE'],
    [{ random: 1 }, 'options.random', 'ERR_INVALID_ARG_TYPE'],
    [{ trace: {} }, 'options.trace', 'ERR_INVALID_ARG_TYPE'],
    [{ clock: { now: () => 0n } }, 'options.clock', 'ERR_INVALID_ARG_TYPE'],
    [{ maxProcesses: 0 }, 'options.maxProcesses', 'ERR_INVALID_ARG_VALUE'],
    [{ maxMemory: 1024 }, 'options.maxMemory', 'ERR_INVALID_ARG_VALUE'],
    [{ commands: { 'a/b': new Uint8Array() } }, "options.commands['a/b']", 'ERR_INVALID_ARG_TYPE'],
    [{ terminal: { size: () => undefined } }, 'options.terminal', 'ERR_INVALID_ARG_TYPE'],
    [{ threads: { poolSize: 0 } }, 'options.threads.poolSize', 'ERR_INVALID_ARG_VALUE'],
  ])('new WASI(%o) is refused, naming %s', (options, option, code) => {
    const err = thrown(() => new WASI({ version: 'preview1', ...options } as never));
    expect(err).toBeInstanceOf(WasiOptionError);
    expect(err.code).toBe(code);
    expect(err.option).toBe(option);
  });
});

// Synchronous compile for the misuse table (wat() is async; its modules are cached here first).
const compiledWat = new Map<string, WebAssembly.Module>();
function wasmOf(text: string): WebAssembly.Module {
  const m = compiledWat.get(text);
  if (!m) throw new Error('not precompiled');
  return m;
}
await Promise.all(
  [
    `(module (memory (export "memory") 1))`,
    `(module (func (export "_start")))`,
    `(module (memory (export "memory") 1) (func (export "_start")) (func (export "_initialize")))`,
  ].map(async (t) => compiledWat.set(t, await wat(t))),
);

describe('initialize() and exit codes', () => {
  it('initialize() calls _initialize of a reactor once; start() is then refused like node:wasi', async () => {
    const text = `(module (memory (export "memory") 1) (global $n (mut i32) (i32.const 0))
      (func (export "_initialize") (global.set $n (i32.add (global.get $n) (i32.const 1))))
      (func (export "count") (result i32) (global.get $n)))`;
    const module = await wat(text);
    const wasi = new WASI({ version: 'preview1' });
    const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
    expect(wasi.initialize(instance)).toBeUndefined();
    expect((instance.exports.count as () => number)()).toBe(1);
    const node = new NodeWASI({ version: 'preview1' });
    const nodeInstance = new WebAssembly.Instance(module, node.getImportObject() as WebAssembly.Imports);
    node.initialize(nodeInstance);
    const again = thrown(() => wasi.initialize(instance));
    expect(again.code).toBe(thrown(() => node.initialize(nodeInstance)).code);
    expect(again.code).toBe('ERR_WASI_ALREADY_STARTED');
    expect((instance.exports.count as () => number)()).toBe(1);
  });

  it('initialize() refuses a command (with _start) like node:wasi', async () => {
    const module = await wat(EMPTY_START);
    const node = new NodeWASI({ version: 'preview1' });
    const nodeErr = thrown(() => node.initialize(new WebAssembly.Instance(module, node.getImportObject() as WebAssembly.Imports)));
    const wasi = new WASI({ version: 'preview1' });
    const err = thrown(() => wasi.initialize(new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports)));
    expect(err.code).toBe(nodeErr.code);
    expect(err.option).toBe('instance.exports._start');
  });

  it.each([0, 1, 42, 255, 256, 70000])('proc_exit(%i) is what start() returns (returnOnExit defaults to true)', async (code) => {
    const module = await wat(`(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1) (func (export "_start") (call $exit (i32.const ${code})) unreachable))`);
    const node = new NodeWASI({ version: 'preview1' });
    const nodeCode = node.start(new WebAssembly.Instance(module, node.getImportObject() as WebAssembly.Imports));
    const wasi = new WASI({ version: 'preview1' });
    const ours = wasi.start(new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports));
    expect(ours).toBe(code);
    expect(ours).toBe(nodeCode);
  });
});

describe('args and environ', () => {
  const ARGS = ['prog', 'ä', '✓✓', '', 'a b'];
  const ENV = { A: '1', ÉTÉ: 'chaud', EMPTY: '' };
  const utf8Len = (s: string) => Buffer.byteLength(s, 'utf8');

  it('sizes count UTF-8 bytes with NULs, as node:wasi does', async () => {
    process.env.WASI_KIT_HOST_ONLY = 'must not leak';
    try {
      const k = await boundWasi({ args: ARGS, env: ENV });
      expect(k.call('args_sizes_get', 0, 4)).toBe(ERRNO.success);
      expect(k.call('environ_sizes_get', 8, 12)).toBe(ERRNO.success);
      const v = k.view();
      const ours = [v.getUint32(0, true), v.getUint32(4, true), v.getUint32(8, true), v.getUint32(12, true)];
      const entries = Object.entries(ENV).map(([a, b]) => `${a}=${b}`);
      expect(ours).toEqual([ARGS.length, ARGS.reduce((n, a) => n + utf8Len(a) + 1, 0), entries.length, entries.reduce((n, e) => n + utf8Len(e) + 1, 0)]);

      const node = new NodeWASI({ version: 'preview1', args: ARGS, env: ENV });
      const nodeInstance = new WebAssembly.Instance(await wat(`(module (memory (export "memory") 1) (func (export "_initialize")))`), node.getImportObject() as WebAssembly.Imports);
      node.initialize(nodeInstance);
      const imp = node.wasiImport as Record<string, (...a: number[]) => number>;
      imp.args_sizes_get!(0, 4);
      imp.environ_sizes_get!(8, 12);
      const nv = new DataView((nodeInstance.exports.memory as WebAssembly.Memory).buffer);
      expect([nv.getUint32(0, true), nv.getUint32(4, true), nv.getUint32(8, true), nv.getUint32(12, true)]).toEqual(ours);
    } finally {
      delete process.env.WASI_KIT_HOST_ONLY;
    }
  });

  it('args_get / environ_get write exactly the strings given, nothing from the host', async () => {
    process.env.WASI_KIT_HOST_ONLY = 'must not leak';
    try {
      const k = await boundWasi({ args: ARGS, env: ENV });
      const read = (getter: string, count: number, ptrs: number, buf: number) => {
        expect(k.call(getter, ptrs, buf)).toBe(ERRNO.success);
        const v = k.view();
        const u8 = k.u8();
        return Array.from({ length: count }, (_, i) => {
          const at = v.getUint32(ptrs + 4 * i, true);
          const end = u8.indexOf(0, at);
          return Buffer.from(u8.subarray(at, end)).toString('utf8');
        });
      };
      expect(read('args_get', ARGS.length, 100, 200)).toEqual(ARGS);
      expect(read('environ_get', 3, 400, 500)).toEqual(Object.entries(ENV).map(([a, b]) => `${a}=${b}`));
      const env = await boundWasi({});
      env.call('environ_sizes_get', 0, 4);
      expect([env.view().getUint32(0, true), env.view().getUint32(4, true)]).toEqual([0, 0]);
    } finally {
      delete process.env.WASI_KIT_HOST_ONLY;
    }
  });
});

describe('deterministic clock and random', () => {
  // Prints clock_time_get(monotonic), clock_res_get(realtime) and 16 bytes of random_get: 32 bytes.
  const CLOCK_RANDOM_WAT = `(module
    (import "wasi_snapshot_preview1" "clock_time_get" (func $time (param i32 i64 i32) (result i32)))
    (import "wasi_snapshot_preview1" "clock_res_get" (func $res (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (drop (call $time (i32.const 1) (i64.const 1000) (i32.const 64)))
      (drop (call $res (i32.const 0) (i32.const 72)))
      (drop (call $random (i32.const 80) (i32.const 16)))
      (i32.store (i32.const 0) (i32.const 64))
      (i32.store (i32.const 4) (i32.const 32))
      (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

  it('uses the injected sources', async () => {
    const run = async () => {
      const out: Uint8Array[] = [];
      const asked: string[] = [];
      const wasi = new WASI({
        version: 'preview1',
        stdout: (b) => void out.push(b),
        clock: {
          now: (c) => (asked.push(`now ${c}`), c === 'monotonic' ? 0x0102030405060708n : 0n),
          resolution: (c) => (asked.push(`res ${c}`), 0x1122n),
        },
        random: (into) => into.forEach((_, i) => (into[i] = 0xa0 + i)),
      });
      wasi.start(new WebAssembly.Instance(await wat(CLOCK_RANDOM_WAT), wasi.getImportObject() as WebAssembly.Imports));
      return { bytes: Buffer.concat(out), asked };
    };
    const a = await run();
    const expected = Buffer.alloc(32);
    expected.writeBigUInt64LE(0x0102030405060708n, 0);
    expected.writeBigUInt64LE(0x1122n, 8);
    for (let i = 0; i < 16; i++) expected[16 + i] = 0xa0 + i;
    expect(a.bytes.toString('hex')).toBe(expected.toString('hex'));
    expect(a.asked).toEqual(['now monotonic', 'res realtime']);
    expect((await run()).bytes.equals(a.bytes)).toBe(true);
  });
});

describe('maxOpenFiles', () => {
  // Opens "f" from fd 3 until path_open fails; returns the count and stores the last errno at 0.
  const OPEN_LOOP_WAT = `(module
    (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 100) "f")
    (func (export "_initialize"))
    (func (export "open_all") (result i32) (local $n i32) (local $e i32)
      (block $done (loop $again
        (local.set $e (call $open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 0)
          (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 200)))
        (br_if $done (local.get $e))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $n) (i32.const 100000)))))
      (i32.store (i32.const 0) (local.get $e))
      (local.get $n)))`;

  it.each([4, 5, 10, 50])('maxOpenFiles %i: opens until stdio + preopen + opened = max, then nfile', async (max) => {
    const wasi = new WASI({ version: 'preview1', maxOpenFiles: max, preopens: { '/m': new MemoryFileSystem({ '/f': 'x' }) } });
    const instance = new WebAssembly.Instance(await wat(OPEN_LOOP_WAT), wasi.getImportObject() as WebAssembly.Imports);
    wasi.initialize(instance);
    const n = (instance.exports.open_all as () => number)();
    expect(n).toBe(max - 4);
    expect(new DataView((instance.exports.memory as WebAssembly.Memory).buffer).getUint32(0, true)).toBe(ERRNO.nfile);
  });
});

describe('trace', () => {
  it('receives every syscall with its decoded args and errno name', async () => {
    const events: TraceEvent[] = [];
    const wasi = new WASI({ version: 'preview1', stdout: () => {}, trace: (e) => events.push(e) });
    const module = await wat(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 8)))
        (drop (call $close (i32.const 99)))
        (call $exit (i32.const 3))))`);
    expect(wasi.start(new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports))).toBe(3);
    expect(events.map((e) => [e.module, e.name, e.errno])).toEqual([
      ['wasi_snapshot_preview1', 'fd_write', 'success'],
      ['wasi_snapshot_preview1', 'fd_close', 'badf'],
      ['wasi_snapshot_preview1', 'proc_exit', undefined],
    ]);
    expect(events[0]!.args).toMatchObject({ fd: 1, iovs_len: 0 });
    expect(events[1]!.args).toMatchObject({ fd: 99 });
    expect(events[2]!.args).toMatchObject({ rval: 3 });
  });
});

describe('WASI.versionOf', () => {
  it.each([
    ['wasi_snapshot_preview1', 'preview1'],
    ['wasi_unstable', 'snapshot0'],
    ['wasi_ephemeral_fd', 'ephemeral'],
    ['env', undefined],
  ])('a module importing from %s is %s', async (module, version) => {
    const m = await wat(`(module (import "${module}" "f" (func)) (memory (export "memory") 1))`);
    expect(WASI.versionOf(m)).toBe(version);
  });

  it('our test programs are preview1', async () => {
    const { compileProgram } = await import('../helpers/run-program.js');
    expect(WASI.versionOf(compileProgram('hello'))).toBe('preview1');
  });
});

describe('fdstat of a preopen', () => {
  it('is a directory with path_open among its rights', async () => {
    const k = await boundWasi({ preopens: { '/m': new MemoryFileSystem() } });
    const s = k.fdstat(3);
    expect(s.errno).toBe(ERRNO.success);
    expect(s.filetype).toBe(FILETYPE.directory);
    expect(s.base & RIGHTS.path_open!).toBe(RIGHTS.path_open);
  });
});
