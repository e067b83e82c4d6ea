import { Signal } from '../../generated/wasix/types.js';
import { WasiError } from '../abi/errno-of.js';
import { ProcExit } from '../errors.js';
import { sleepUntil } from './blocking.js';
import type { Process } from './process.js';

// Signals of the one WASIX process, delivered as Wasmer delivers them (lib/wasix/src/state/env.rs,
// `process_signals_and_exit` and `process_signals_internal`): a signal is only ever acted on inside a
// syscall, never by interrupting guest code. With a callback registered (`callback_signal`, which
// wasix-libc calls with "__wasm_signal" on the first sigaction), every pending signal is handed to that
// guest export as `callback(signo: i32)`, the guest's libc choosing the action; a blocking call that a
// signal ends returns `intr` after the callback has run (`__asyncify` in lib/wasix/src/syscalls/mod.rs).
// Without a callback, the default action applies. Wasmer then ends the process only for int, quit,
// kill, abrt and pipe and ignores the rest; wasi-kit takes POSIX's default actions instead (below), as
// preview1's proc_raise already ends the guest for terminating signals.

/** Signals whose POSIX default is to be ignored; the stop signals too, since nothing could continue a stopped program. */
const IGNORED_BY_DEFAULT = new Set<number>([Signal.chld, Signal.cont, Signal.urg, Signal.winch, Signal.stop, Signal.tstp, Signal.ttin, Signal.ttou]);

/** Exit code of a process ended by signal `sig`: 128 + its number (WASIX numbers are Linux's), as a shell reports it. */
export const signalExitCode = (sig: number) => 128 + sig;

interface Timer {
  /** Host-monotonic ms (performance.now()) of the next expiry. */
  at: number;
  /** The period in ms when it repeats. */
  every: number | undefined;
}

/** The pending signals, the registered callback and the interval timers of one process. */
export class ProcessSignals {
  readonly #p: Process;
  readonly #pending: number[] = [];
  readonly #timers = new Map<number, Timer>();
  #callback: string | undefined;
  #delivering = false;

  constructor(p: Process) {
    this.#p = p;
  }

  /** Signals set to be ignored (a spawn's signal dispositions): raising one does nothing. */
  readonly #ignored = new Set<number>();

  /** Ignores `sig` from now on (SIG_IGN), as proc_spawn2's dispositions ask; kill cannot be ignored. */
  ignore(sig: number): void {
    if (sig !== Signal.kill) this.#ignored.add(sig);
  }

  /** True when `sig` would end the process now: not ignored, and no callback takes it (or it is kill). */
  terminates(sig: number): boolean {
    if (sig === Signal.kill) return true;
    if (this.#ignored.has(sig) || IGNORED_BY_DEFAULT.has(sig) || sig === Signal.none) return false;
    return this.#callback === undefined || typeof this.#p.exports?.[this.#callback] !== 'function';
  }

  /**
   * A fork's child takes its parent's dispositions: the callback and the ignored signals; nothing pending
   * and no timers (POSIX: a child's pending signals are empty, and interval timers are not inherited).
   */
  inheritFrom(parent: ProcessSignals): void {
    this.#callback = parent.#callback;
    for (const sig of parent.#ignored) this.#ignored.add(sig);
  }

  /** After exec: a handled signal is back to its default (the handler is gone with the image); ignored ones stay ignored (POSIX). */
  resetForExec(): void {
    this.#callback = undefined;
    this.syncAttention();
  }

  /** Takes the first pending signal that would end the process now off the pending list (after exec: its default action). */
  takeTerminating(): number | undefined {
    const i = this.#pending.findIndex((sig) => this.terminates(sig));
    if (i < 0) return undefined;
    const sig = this.#pending.splice(i, 1)[0];
    this.syncAttention();
    return sig;
  }

  /** Names the guest export called with each signal (`callback_signal`). */
  setCallback(name: string): void {
    this.#callback = name;
    this.syncAttention();
  }

  /** Marks `sig` pending; a standard signal already pending is not queued twice (POSIX). */
  raise(sig: number): void {
    if (sig !== Signal.none && !this.#ignored.has(sig) && !this.#pending.includes(sig)) this.#pending.push(sig);
    this.syncAttention();
  }

  /**
   * Tells the workers serving the process's pipes (fast-fds.ts) whether a call must come to the kernel:
   * while a signal is pending that would act (a callback takes it, or its default is not to ignore it) or
   * a timer is armed, every call does, so that signals are delivered and end blocking calls as before.
   */
  syncAttention(): void {
    const fast = this.#p.fast;
    if (!fast) return;
    const hasCallback = this.#callback !== undefined;
    fast.signals(this.#timers.size > 0 || this.#pending.some((sig) => hasCallback || !IGNORED_BY_DEFAULT.has(sig)));
  }

  /** Arms (or with 0 ns, disarms) the timer that raises `sig` after `ns`, and every `ns` after that when `repeat`. */
  setTimer(sig: number, ns: bigint, repeat: boolean): void {
    if (ns === 0n) {
      this.#timers.delete(sig);
      this.syncAttention();
      return;
    }
    const ms = Number(ns) / 1e6;
    this.#timers.set(sig, { at: performance.now() + ms, every: repeat ? ms : undefined });
    this.syncAttention();
  }

  /** When the earliest timer expires (host-monotonic ms), or undefined when none is armed. */
  nextTimerMs(): number | undefined {
    let first: number | undefined;
    for (const t of this.#timers.values()) if (first === undefined || t.at < first) first = t.at;
    return first;
  }

  /** True when a signal is pending or a timer has expired: a blocking call should stop and deliver. */
  due(): boolean {
    this.#expireTimers();
    return this.#pending.length > 0;
  }

  /**
   * Acts on every pending signal (and expired timer): calls the guest's callback for each, or takes the
   * default action, ending the process (`ProcExit`, 128 + signo) for a terminating signal. True when
   * a callback ran (a blocking call then ends with `intr`). `kill` cannot be caught. A signal raised while a callback runs waits for the
   * next syscall after it, as Linux blocks a signal during its own handler.
   */
  deliver(): boolean {
    if (this.#delivering || !this.due()) return false;
    this.#delivering = true;
    try {
      let acted = false;
      for (let sig = this.#pending.shift(); sig !== undefined; sig = this.#pending.shift()) {
        const callback = this.#callback === undefined ? undefined : this.#p.exports?.[this.#callback];
        if (sig !== Signal.kill && typeof callback === 'function') {
          acted = true;
          (callback as (signo: number) => void)(sig);
        } else if (!IGNORED_BY_DEFAULT.has(sig)) throw new ProcExit(signalExitCode(sig));
        // A signal whose default is to be ignored is discarded without interrupting anything (POSIX).
      }
      return acted;
    } finally {
      this.#delivering = false;
      this.syncAttention();
    }
  }

  /**
   * For a call that would wait `timeoutMs` (Infinity: no limit) for something only another guest thread
   * could bring: sleeps until the next timer instead, when one expires sooner, then delivers the signals
   * and ends the call with `intr`, as a blocking call interrupted by a signal does. Returns when nothing
   * was delivered (no timer expires within the wait; the caller then waits as it would have).
   */
  interruptWait(timeoutMs: number, sleepMs: (ms: number) => void): void {
    if (this.deliver()) throw new WasiError('intr', 'interrupted by a signal');
    const next = this.nextTimerMs();
    if (next === undefined || next > performance.now() + timeoutMs) return;
    sleepUntil(next, sleepMs);
    if (this.deliver()) throw new WasiError('intr', 'interrupted by a signal');
  }

  #expireTimers(): void {
    const now = performance.now();
    for (const [sig, t] of this.#timers) {
      if (t.at > now) continue;
      this.raise(sig);
      if (t.every === undefined) this.#timers.delete(sig);
      // A repeating timer that fell behind fires once, then keeps its period from now (as Wasmer does).
      else t.at = Math.max(t.at + t.every, now);
    }
  }
}
