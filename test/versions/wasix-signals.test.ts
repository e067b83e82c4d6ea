// WASIX process and signal calls (proc_parent, proc_signal, proc_raise, proc_raise_interval,
// callback_signal, proc_signals_*), clock_time_set, and tty_get/tty_set over a host terminal. The signal
// callback is a guest export, so these guests run over a kernel built here with `exports` set (what
// WASI.start will do once it sets Process.exports); the rest goes through WASI as usual.
import { describe, expect, it } from 'vitest';
import { createWasiSnapshotPreview1Imports } from '../../generated/preview1/imports.js';
import { createWasix32v1Imports } from '../../generated/wasix/imports.js';
import { GuestMemory } from '../../src/abi/memory.js';
import { FdTable } from '../../src/kernel/fd-table.js';
import { wasixHandlers, wasixProcRaise } from '../../src/handlers/wasix.js';
import { preview1Handlers } from '../../src/handlers/preview1/index.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { Process } from '../../src/kernel/process.js';
import { ProcExit } from '../../src/index.js';
import { StringArray } from '../../src/string-array.js';
import type { HostTerminal } from '../../src/terminal.js';
import { wat } from '../runtime/harness.js';
import { guest, wasixEnum } from './guest.js';

const E = wasixEnum('errno');
const S = wasixEnum('signal') as Record<string, number>;
const W = 'wasix_32v1';
const FOREVER = 0xffff_ffff_ffff_ffffn;

const cell = new Int32Array(new SharedArrayBuffer(4));
const sleepNs = (ns: bigint) => void Atomics.wait(cell, 0, 0, Number(ns) / 1e6);

/**
 * A guest over a kernel of our own: it exports `__wasm_signal(sig)`, which appends `sig` to a list
 * (count at 96, entries from 100), and forwards to the imports named in `sigs`.
 */
async function signalGuest(opts: { terminal?: HostTerminal } = {}) {
  const sigs: [string, string, boolean][] = [
    ['callback_signal', 'i32 i32', false],
    ['proc_raise', 'i32', true],
    ['proc_signal', 'i32 i32', true],
    ['proc_raise_interval', 'i32 i64 i32', true],
    ['proc_signals_sizes_get', 'i32', true],
    ['proc_signals_get', 'i32', true],
    ['fd_pipe', 'i32 i32', true],
    ['fd_read', 'i32 i32 i32 i32', true],
    ['epoll_create', 'i32', true],
    ['epoll_wait', 'i32 i32 i32 i64 i32', true],
    ['proc_id', 'i32', true],
    ['tty_get', 'i32', true],
    ['tty_set', 'i32', true],
  ];
  const imports = sigs.map(([n, p, r], i) => `(import "${W}" "${n}" (func $f${i} (param ${p}) ${r ? '(result i32)' : ''}))`);
  const forwards = sigs.map(([n, p, r], i) => {
    const args = p.split(' ').map((_, j) => `local.get ${j}`).join(' ');
    return `(func (export "${n}") (param ${p}) ${r ? '(result i32)' : ''} ${args} call $f${i})`;
  });
  const module = await wat(`(module ${imports.join('\n')}
    (memory (export "memory") 1)
    (func (export "__wasm_signal") (param $sig i32)
      (i32.store (i32.add (i32.const 100) (i32.mul (i32.load (i32.const 96)) (i32.const 4))) (local.get $sig))
      (i32.store (i32.const 96) (i32.add (i32.load (i32.const 96)) (i32.const 1))))
    ${forwards.join('\n')})`);
  const memory = new GuestMemory();
  const kernel = new Kernel({ clock: { now: () => 0n, resolution: () => 1n }, randomFill: () => {}, hostSleepNs: sleepNs });
  const k = new Process(kernel, { memory, args: new StringArray([]), env: new StringArray([]), fds: new FdTable(64), terminal: opts.terminal });
  for (let fd = 0; fd < 3; fd++) k.fds.set(fd, { file: { kind: 'stdio', source: undefined, sink: undefined, filetype: 0, fdflags: 0 }, rightsBase: 0, rightsInheriting: 0 });
  const p1 = preview1Handlers(k);
  const base = createWasiSnapshotPreview1Imports(p1, memory);
  const wasix = { ...base, proc_raise: wasixProcRaise(base.proc_raise, k), ...createWasix32v1Imports(wasixHandlers(k, p1), memory) };
  const instance = new WebAssembly.Instance(module, { [W]: wasix } as unknown as WebAssembly.Imports);
  memory.bind(instance.exports.memory as WebAssembly.Memory);
  k.exports = instance.exports;
  const f = instance.exports as Record<string, (...a: (number | bigint)[]) => number>;
  const view = () => new DataView((instance.exports.memory as WebAssembly.Memory).buffer);
  const received = () => Array.from({ length: view().getUint32(96, true) }, (_, i) => view().getUint32(100 + 4 * i, true));
  const register = () => {
    new Uint8Array((instance.exports.memory as WebAssembly.Memory).buffer).set(new TextEncoder().encode('__wasm_signal'), 2000);
    f.callback_signal!(2000, 13);
  };
  const exitOf = (call: () => unknown) => {
    try {
      call();
    } catch (err) {
      if (err instanceof ProcExit) return err.exitCode;
      throw err;
    }
    return undefined;
  };
  const readPipe = () => {
    expect(f.fd_pipe!(16, 20)).toBe(0);
    view().setUint32(32, 4096, true);
    view().setUint32(36, 8, true);
    return () => f.fd_read!(view().getUint32(20, true), 32, 1, 40);
  };
  return { k, f, view, received, register, exitOf, readPipe };
}

describe('proc_parent, proc_id', () => {
  it('the one process (1) has no parent: 0, as Wasmer answers; another pid is badf; a bad out-pointer fault', async () => {
    const g = await guest('wasix', [[W, 'proc_parent', 'i32 i32']]);
    g.view().setUint32(200, 0xffff_ffff, true);
    expect(g.call(W, 'proc_parent', 1, 200)).toBe(0);
    expect(g.view().getUint32(200, true)).toBe(0);
    expect(g.call(W, 'proc_parent', 2, 200)).toBe(E.badf);
    expect(g.call(W, 'proc_parent', 1, 65536)).toBe(E.fault);
  });
});

describe('proc_signal and proc_raise', () => {
  it('with a callback registered, the signal reaches it (its WASIX number) before the call returns', async () => {
    const g = await signalGuest();
    g.register();
    expect(g.f.proc_signal!(1, S.usr1!)).toBe(0);
    expect(g.f.proc_raise!(S.stkflt!)).toBe(0); // WASIX's 16, which preview1 lacks
    expect(g.f.proc_raise!(S.term!)).toBe(0); // caught: the guest's libc decides
    expect(g.received()).toEqual([S.usr1, S.stkflt, S.term]);
    expect(g.f.proc_signal!(1, S.none!)).toBe(0); // signal 0: nothing sent
    expect(g.received()).toHaveLength(3);
  });

  it('another pid is srch; an unknown signal inval', async () => {
    const g = await signalGuest();
    expect(g.f.proc_signal!(7, S.usr1!)).toBe(E.srch);
    expect(g.f.proc_signal!(1, 99)).toBe(E.inval);
    expect(g.f.proc_raise!(99)).toBe(E.inval);
  });

  it('without a callback, the default action: terminate with 128 + signo, or ignore (chld, winch, cont, stop)', async () => {
    const g = await signalGuest();
    expect(g.exitOf(() => g.f.proc_signal!(1, S.chld!))).toBeUndefined();
    expect(g.exitOf(() => g.f.proc_raise!(S.winch!))).toBeUndefined();
    expect(g.exitOf(() => g.f.proc_raise!(S.stop!))).toBeUndefined();
    expect(g.exitOf(() => g.f.proc_signal!(1, S.term!))).toBe(128 + 15);
    expect(g.exitOf(() => g.f.proc_raise!(S.usr2!))).toBe(128 + 12);
  });

  it('kill cannot be caught: it ends the process even with a callback', async () => {
    const g = await signalGuest();
    g.register();
    expect(g.exitOf(() => g.f.proc_raise!(S.kill!))).toBe(128 + 9);
    expect(g.received()).toEqual([]);
  });
});

describe('proc_raise_interval (alarm) and callback_signal', () => {
  it('a one-shot alarm interrupts a blocking pipe read: the callback runs, the read gives intr; then the read is deadlk again', async () => {
    const g = await signalGuest();
    g.register();
    const read = g.readPipe();
    const t0 = performance.now(); // before arming: the alarm is due 20 ms after this at the earliest
    expect(g.f.proc_raise_interval!(S.alrm!, 20_000_000n, 0)).toBe(0);
    expect(read()).toBe(E.intr);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
    expect(g.received()).toEqual([S.alrm]);
    expect(read()).toBe(E.deadlk); // one-shot: nothing armed any more
  });

  it('a repeating alarm interrupts every epoll_wait; an interval of 0 disarms it', async () => {
    const g = await signalGuest();
    g.register();
    expect(g.f.epoll_create!(16)).toBe(0);
    const ep = g.view().getUint32(16, true);
    expect(g.f.proc_raise_interval!(S.alrm!, 5_000_000n, 1)).toBe(0);
    for (let i = 0; i < 3; i++) expect(g.f.epoll_wait!(ep, 4096, 4, FOREVER, 20)).toBe(E.intr);
    // At least one alarm per wait; a loaded machine may let the 5 ms timer fire again before a wait starts.
    expect(g.received().length).toBeGreaterThanOrEqual(3);
    expect(new Set(g.received())).toEqual(new Set([S.alrm]));
    expect(g.f.proc_raise_interval!(S.alrm!, 0n, 0)).toBe(0);
    expect(g.f.epoll_wait!(ep, 4096, 4, FOREVER, 20)).toBe(E.deadlk);
  });

  it('an alarm with no callback ends the process as SIGALRM would (142)', async () => {
    const g = await signalGuest();
    const read = g.readPipe();
    expect(g.f.proc_raise_interval!(S.alrm!, 1_000_000n, 0)).toBe(0);
    expect(g.exitOf(read)).toBe(128 + 14);
  });

  it('an alarm that expired before any callback is delivered when the callback is registered', async () => {
    const g = await signalGuest();
    expect(g.f.proc_raise_interval!(S.usr1!, 1_000_000n, 0)).toBe(0);
    sleepNs(5_000_000n);
    g.register();
    expect(g.received()).toEqual([S.usr1]);
  });

  it('a callback name the guest does not export: the default action', async () => {
    const g = await signalGuest();
    new Uint8Array((g.k.exports!.memory as WebAssembly.Memory).buffer).set(new TextEncoder().encode('nope'), 3000);
    g.f.callback_signal!(3000, 4);
    expect(g.exitOf(() => g.f.proc_raise!(S.hup!))).toBe(128 + 1);
  });

  it('proc_signals_sizes_get: the host overrides no disposition, so 0 and nothing to list', async () => {
    const g = await signalGuest();
    g.view().setUint32(16, 99, true);
    expect(g.f.proc_signals_sizes_get!(16)).toBe(0);
    expect(g.view().getUint32(16, true)).toBe(0);
    expect(g.f.proc_signals_get!(16)).toBe(0);
    expect(g.f.proc_signals_sizes_get!(65536)).toBe(E.fault);
  });
});

describe('clock_time_set', () => {
  it('is refused: perm for the realtime clock, inval for the others, inval for no such clock', async () => {
    const g = await guest('wasix', [[W, 'clock_time_set', 'i32 i64']]);
    expect(g.call(W, 'clock_time_set', 0, 0n)).toBe(E.perm);
    expect(g.call(W, 'clock_time_set', 1, 0n)).toBe(E.inval);
    expect(g.call(W, 'clock_time_set', 9, 0n)).toBe(E.inval);
  });
});

describe('tty_get and tty_set over a host terminal', () => {
  it("reports the terminal's live size and turns it raw when line buffering goes off, back when it comes on", async () => {
    let size = { cols: 120, rows: 40 };
    const raw: boolean[] = [];
    const g = await signalGuest({ terminal: { size: () => size, setRawMode: (r) => (raw.push(r), true) } });
    expect(g.f.tty_get!(1024)).toBe(0);
    const v = g.view();
    expect([v.getUint32(1024, true), v.getUint32(1028, true), v.getUint8(1043), v.getUint8(1044)]).toEqual([120, 40, 1, 1]);
    v.setUint8(1043, 0); // echo off
    v.setUint8(1044, 0); // line buffering off
    expect(g.f.tty_set!(1024)).toBe(0);
    expect(raw).toEqual([true]);
    size = { cols: 100, rows: 30 };
    expect(g.f.tty_get!(2048)).toBe(0);
    expect([v.getUint32(2048, true), v.getUint32(2052, true), v.getUint8(2067), v.getUint8(2068)]).toEqual([100, 30, 0, 0]);
    v.setUint8(1044, 1);
    expect(g.f.tty_set!(1024)).toBe(0);
    expect(g.f.tty_set!(1024)).toBe(0); // unchanged: no second switch
    expect(raw).toEqual([true, false]);
  });
});
