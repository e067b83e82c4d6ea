// The 2023 WASIX ABI (handlers/wasix/abi2023.ts): thread_spawn(user_data, stack_base, stack_start, reactor,
// ret_tid) with `_start_thread`, thread_local_* with `_thread_local_destroy`, fd_event's EFD_NONBLOCK (4),
// thread_signal to thread 0; sock_accept(fd, flags, ro_fd, ro_addr) beside preview1's three-parameter one;
// and the trace of WASIX calls. WAT guests importing those signatures.
import { describe, expect, it } from 'vitest';
import { WASI, listenTcp, type TraceEvent } from '../../src/index.js';
import { clientThread } from '../sockets/client.js';
import { watBytes } from '../threads/helpers.js';
import { wat } from '../runtime/harness.js';
import { wasixEnum } from './guest.js';

const E = wasixEnum('errno');
const S = wasixEnum('signal');

const IMPORTS_2023 = `
  (import "wasix_32v1" "thread_spawn" (func $spawn (param i64 i64 i64 i32 i32) (result i32)))
  (import "wasix_32v1" "thread_join" (func $join (param i32) (result i32)))
  (import "wasix_32v1" "thread_local_create" (func $tl_create (param i64 i32) (result i32)))
  (import "wasix_32v1" "thread_local_destroy" (func $tl_destroy (param i32) (result i32)))
  (import "wasix_32v1" "thread_local_set" (func $tl_set (param i32 i64) (result i32)))
  (import "wasix_32v1" "thread_local_get" (func $tl_get (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_exit" (func $exit (param i32)))`;

/** A single-threaded 2023 guest (own memory) whose `_start` ends with `proc_exit(body)`; scratch from 64. */
const single = (body: string, imports = '', extra = '') => `(module ${IMPORTS_2023} ${imports}
  (memory (export "memory") 1)
  ${extra}
  (func (export "_start") (call $exit ${body})))`;

async function start(text: string, options: ConstructorParameters<typeof WASI>[0] = {}): Promise<number> {
  const wasi = new WASI({ version: 'wasix', ...options });
  return wasi.start(await WebAssembly.instantiate(await wat(text), wasi.getImportObject()));
}

describe('the 2023 WASIX ABI', () => {
  it('a 2023 binary importing thread_local_create and the 5-parameter thread_spawn now instantiates', async () => {
    expect(await start(single('(i32.const 7)'))).toBe(7);
  });

  it('thread locals on one thread: create (keys from 1), set, get, get of an unset key is 0, destroy, then inval', async () => {
    const code = await start(
      single(`(block (result i32)
        (if (call $tl_create (i64.const 11) (i32.const 64)) (then unreachable))
        (if (call $tl_create (i64.const 12) (i32.const 68)) (then unreachable))
        (if (call $tl_set (i32.load (i32.const 64)) (i64.const 0x123456789)) (then unreachable))
        (if (call $tl_get (i32.load (i32.const 64)) (i32.const 72)) (then unreachable))
        (if (i64.ne (i64.load (i32.const 72)) (i64.const 0x123456789)) (then unreachable))
        (if (call $tl_get (i32.load (i32.const 68)) (i32.const 72)) (then unreachable))
        (if (i64.ne (i64.load (i32.const 72)) (i64.const 0)) (then unreachable))
        (if (call $tl_destroy (i32.load (i32.const 64))) (then unreachable))
        ;; keys 1 and 2, then what get on the destroyed key answers
        (i32.add (i32.add (i32.mul (i32.load (i32.const 64)) (i32.const 1000)) (i32.mul (i32.load (i32.const 68)) (i32.const 100)))
          (call $tl_get (i32.load (i32.const 64)) (i32.const 72))))`),
    );
    expect(code).toBe(1000 + 200 + E.inval!);
    expect(await start(single(`(call $tl_get (i32.const 1) (i32.const 72))`))).toBe(E.inval);
    expect(await start(single(`(block (result i32) (drop (call $tl_create (i64.const 1) (i32.const 64))) (call $tl_get (i32.const 1) (i32.const 65534)))`))).toBe(E.inval);
    expect(await start(single(`(block (result i32) (drop (call $tl_create (i64.const 1) (i32.const 64))) (call $tl_get (i32.const 1) (i32.const 65536)))`))).toBe(E.fault);
  });

  it('thread_spawn under start() is notsup (no workers), and writes nothing', async () => {
    expect(await start(single(`(i32.add (call $spawn (i64.const 1) (i64.const 4096) (i64.const 0) (i32.const 0) (i32.const 64)) (i32.load (i32.const 64)))`))).toBe(E.notsup);
  });

  it('fd_event accepts the 2023 EFD_NONBLOCK (4): an empty counter then reads `again` instead of waiting', async () => {
    const code = await start(
      single(
        `(block (result i32)
          (if (call $fd_event (i64.const 0) (i32.const 4) (i32.const 64)) (then unreachable))
          (i32.store (i32.const 80) (i32.const 96)) (i32.store (i32.const 84) (i32.const 8))
          (call $fd_read (i32.load (i32.const 64)) (i32.const 80) (i32.const 1) (i32.const 88)))`,
        `(import "wasix_32v1" "fd_event" (func $fd_event (param i64 i32 i32) (result i32)))
         (import "wasix_32v1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))`,
      ),
    );
    expect(code).toBe(E.again);
  });

  it('thread_signal to thread 0 is the main thread', async () => {
    const code = await start(
      single(
        `(block (result i32)
          (call $callback (i32.const 200) (i32.const 6))
          (if (call $thread_signal (i32.const 0) (i32.const ${S.usr1})) (then unreachable))
          (i32.load (i32.const 100)))`,
        `(import "wasix_32v1" "callback_signal" (func $callback (param i32 i32)))
         (import "wasix_32v1" "thread_signal" (func $thread_signal (param i32 i32) (result i32)))`,
        `(data (i32.const 200) "on_sig")
         (func (export "on_sig") (param $sig i32) (i32.store (i32.const 100) (local.get $sig)))`,
      ),
    );
    expect(code).toBe(S.usr1);
  });

  it('thread_spawn under run(): _start_thread(user_data lo, hi) on the given stack; thread locals per thread; the destructor at its end', async () => {
    // Memory: 100 futex (thread done), 104/108 the user data halves seen, 112 the stack pointer seen,
    // 120 the thread's own get, 128.. the destructor's four arguments, 160 the key, 164 tid, 168 main's get.
    const text = `(module ${IMPORTS_2023}
      (import "wasix_32v1" "futex_wait" (func $fwait (param i32 i32 i32 i32) (result i32)))
      (import "wasix_32v1" "futex_wake" (func $fwake (param i32 i32) (result i32)))
      (import "env" "memory" (memory 2 2 shared))
      (global $sp (export "__stack_pointer") (mut i32) (i32.const 65536))
      (func (export "_start_thread") (param $lo i32) (param $hi i32)
        (i32.store (i32.const 104) (local.get $lo))
        (i32.store (i32.const 108) (local.get $hi))
        (i32.store (i32.const 112) (global.get $sp))
        (if (call $tl_set (i32.load (i32.const 160)) (i64.const 0x900000009)) (then unreachable))
        (if (call $tl_get (i32.load (i32.const 160)) (i32.const 120)) (then unreachable)))
      (func (export "_thread_local_destroy") (param i32 i32 i32 i32)
        (i32.store (i32.const 128) (local.get 0))
        (i32.store (i32.const 132) (local.get 1))
        (i32.store (i32.const 136) (local.get 2))
        (i32.store (i32.const 140) (local.get 3))
        (i32.atomic.store (i32.const 100) (i32.const 1))
        (drop (call $fwake (i32.const 100) (i32.const 240))))
      (func (export "_start")
        (if (call $tl_create (i64.const 0x200000005) (i32.const 160)) (then unreachable))
        (if (call $tl_set (i32.load (i32.const 160)) (i64.const 5)) (then unreachable))
        (if (call $spawn (i64.const 0x100000007) (i64.const 90112) (i64.const 81920) (i32.const 0) (i32.const 164)) (then unreachable))
        (block $done (loop $wait
          (br_if $done (i32.atomic.load (i32.const 100)))
          (drop (call $fwait (i32.const 100) (i32.const 0) (i32.const 320) (i32.const 244)))
          (br $wait)))
        (if (call $join (i32.load (i32.const 164))) (then unreachable))
        (if (call $tl_get (i32.load (i32.const 160)) (i32.const 168)) (then unreachable))
        (call $exit (i32.const 0))))`;
    const wasi = new WASI({ version: 'wasix' });
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true } as WebAssembly.MemoryDescriptor);
    expect(await wasi.run(await watBytes(text), { memory })).toBe(0);
    const v = new DataView(memory.buffer);
    expect([v.getUint32(104, true), v.getUint32(108, true)]).toEqual([7, 1]);
    expect(v.getUint32(112, true)).toBe(90112);
    expect(v.getBigUint64(120, true)).toBe(0x900000009n);
    // The destructor got the key's user data and the thread's value; main's own value is untouched.
    expect([v.getUint32(128, true), v.getUint32(132, true), v.getUint32(136, true), v.getUint32(140, true)]).toEqual([5, 2, 9, 9]);
    expect(v.getBigUint64(168, true)).toBe(5n);
  });

  it('reactor threads are notsup', async () => {
    const text = `(module ${IMPORTS_2023}
      (import "env" "memory" (memory 1 1 shared))
      (global (export "__stack_pointer") (mut i32) (i32.const 4096))
      (func (export "_start_thread") (param i32 i32))
      (func (export "_start") (call $exit (call $spawn (i64.const 1) (i64.const 4096) (i64.const 0) (i32.const 1) (i32.const 64)))))`;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
    expect(await new WASI({ version: 'wasix' }).run(await watBytes(text), { memory })).toBe(E.notsup);
  });
});

describe('trace of WASIX calls', () => {
  it('decodes the 2023 forms by their own ABI, and tags each call of a threaded program with pid and tid', async () => {
    const events: TraceEvent[] = [];
    await start(single(`(block (result i32) (drop (call $tl_create (i64.const 42) (i32.const 64))) (i32.const 0))`), { trace: (e) => events.push(e) });
    const create = events.find((e) => e.name === 'thread_local_create')!;
    expect(create.args).toEqual({ user_data: 42n, ret_key: 64 });
    expect(create.errno).toBe('success');
    expect(create.thread).toBeUndefined();

    const threaded: TraceEvent[] = [];
    const text = `(module ${IMPORTS_2023}
      (import "wasix_32v1" "sched_yield" (func $yield (result i32)))
      (import "env" "memory" (memory 1 1 shared))
      (global (export "__stack_pointer") (mut i32) (i32.const 4096))
      (func (export "_start_thread") (param i32 i32) (drop (call $yield)))
      (func (export "_start")
        (if (call $spawn (i64.const 1) (i64.const 8192) (i64.const 4096) (i32.const 0) (i32.const 64)) (then unreachable))
        (if (call $join (i32.load (i32.const 64))) (then unreachable))
        (drop (call $yield))
        (call $exit (i32.const 0))))`;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
    await new WASI({ version: 'wasix', trace: (e) => threaded.push(e) }).run(await watBytes(text), { memory });
    const yields = threaded.filter((e) => e.name === 'sched_yield').map((e) => e.thread);
    expect(yields).toEqual(expect.arrayContaining([{ pid: 1, tid: 1 }, { pid: 1, tid: 2 }]));
    expect(threaded.find((e) => e.name === 'thread_spawn')!.args).toEqual({ user_data: 1n, stack_base: 8192n, stack_start: 4096n, reactor: 0, ret_tid: 64 });
  });
});

describe('the 2023 four-parameter sock_accept', () => {
  /** A guest that accepts once on the preopened listener (fd 4: WASIX's `/` is fd 3) with `call`, then sends `hi` on the new fd. */
  const acceptor = (importType: string, call: string) => `(module
    (import "wasix_32v1" "sock_accept" (func $accept ${importType}))
    (import "wasix_32v1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
    (import "wasix_32v1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "hi")
    (data (i32.const 32) "\\10\\00\\00\\00\\02\\00\\00\\00")
    (func (export "_start")
      (local $e i32)
      (local.set $e ${call})
      (if (local.get $e) (then (call $exit (local.get $e))))
      (call $exit (call $send (i32.load (i32.const 64)) (i32.const 32) (i32.const 1) (i32.const 0) (i32.const 40)))))`;

  async function acceptOnce(text: string, trace?: TraceEvent[]) {
    const listener = listenTcp();
    const client = clientThread<{ port: number; got: string }>(
      `const s = net.connect(data.port, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      let got = '';
      s.setEncoding('utf8');
      s.on('data', (d) => (got += d));
      await new Promise((r) => s.once('end', r));
      return { port: s.localPort, got };`,
      { port: listener.port },
    );
    const wasi = new WASI({ version: 'wasix', preopenSockets: [listener], trace: trace && ((e) => trace.push(e)) });
    const instance = await WebAssembly.instantiate(await wat(text), wasi.getImportObject());
    const code = wasi.start(instance);
    const mem = new DataView((instance.exports.memory as WebAssembly.Memory).buffer);
    wasi.close();
    return { code, mem, client: await client };
  }

  it('the 2023 form (chosen by its four parameters) gives the new fd and the peer address, as sock_accept_v2', async () => {
    const trace: TraceEvent[] = [];
    const r = await acceptOnce(acceptor('(param i32 i32 i32 i32) (result i32)', '(call $accept (i32.const 4) (i32.const 0) (i32.const 64) (i32.const 72))'), trace);
    expect(r.code).toBe(0);
    expect(r.client.got).toBe('hi');
    expect(r.mem.getUint32(64, true)).toBe(5);
    // addr_port: the inet4 tag, the port (the client's own), the octets in network order.
    expect(r.mem.getUint8(72)).toBe(1);
    expect(r.mem.getUint16(74, true)).toBe(r.client.port);
    expect([76, 77, 78, 79].map((i) => r.mem.getUint8(i))).toEqual([127, 0, 0, 1]);
    expect(trace.find((e) => e.name === 'sock_accept')!.args).toEqual({ fd: 4, flags: 0, ro_fd: 64, ro_addr: 72 });
  });

  it("preview1's three-parameter form under wasix_32v1 still accepts, writing no address", async () => {
    const r = await acceptOnce(
      acceptor('(param i32 i32 i32) (result i32)', '(block (result i32) (i32.store (i32.const 72) (i32.const -1)) (call $accept (i32.const 4) (i32.const 0) (i32.const 64)))'),
    );
    expect(r.code).toBe(0);
    expect(r.client.got).toBe('hi');
    expect(r.mem.getUint32(64, true)).toBe(5);
    expect(r.mem.getInt32(72, true)).toBe(-1);
  });

  it('a bad pointer for the address is fault', async () => {
    const listener = listenTcp();
    try {
      const wasi = new WASI({ version: 'wasix', preopenSockets: [listener] });
      const text = acceptor('(param i32 i32 i32 i32) (result i32)', '(call $accept (i32.const 4) (i32.const 0) (i32.const 64) (i32.const 65530))');
      expect(wasi.start(await WebAssembly.instantiate(await wat(text), wasi.getImportObject()))).toBe(E.fault);
      wasi.close();
    } finally {
      listener.close();
    }
  });
});
