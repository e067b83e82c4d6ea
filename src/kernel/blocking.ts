import { ControlFlow, WasiError } from '../abi/errno-of.js';
import { WasiStateError } from '../errors.js';
import type { Waiter } from '../stdio.js';

// How a syscall that cannot complete yet waits. A program on one thread blocks that thread (the
// guest's), through a Waiter or the platform's sleep. With threads, syscalls run on the kernel's
// thread, which must never block: a call that would wait throws `Blocked` instead, before it has
// changed anything, and the thread dispatcher parks it and runs it again later, when something has
// changed or its deadline has come. Every wait goes through this module so that the two modes differ
// in one place.

/**
 * A call that must wait: `deadlineMs` on the host's monotonic clock (`performance.now()`), or
 * undefined for no deadline; `external` when what it waits for comes from outside the guest (stdin,
 * a socket), so the dispatcher looks again from time to time rather than only after other syscalls;
 * `until` when it waits for a step of an asynchronous filesystem, whose settling is the time to retry.
 */
export class Blocked extends ControlFlow {
  constructor(
    readonly deadlineMs: number | undefined,
    readonly external: boolean,
    readonly until?: Promise<void>,
  ) {
    super();
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * One guest call across its attempts: when it was first attempted, and what each of its steps (see
 * {@link settle}) gave, in order, so that a retry replays them instead of doing them again.
 */
export class CallRecord {
  readonly outcomes: Outcome[] = [];
  /** The step in flight, if any: no other step of this call starts until it has settled. */
  pending: Promise<void> | undefined;
  cursor = 0;
  constructor(readonly startedMs: number) {}
}

let current: CallRecord | undefined;

/**
 * Runs `call` with waits turned into `Blocked`; `record` is the call's across its attempts (a number:
 * when it was first attempted), so relative timeouts count from there on every retry and finished
 * steps are replayed. Used only by the thread dispatcher.
 */
export function parkingWaits<T>(record: CallRecord | number, call: () => T): T {
  current = typeof record === 'number' ? new CallRecord(record) : record;
  current.cursor = 0;
  try {
    return call();
  } finally {
    current = undefined;
  }
}

/** The host-monotonic time this call began (its first attempt when retried), in ms. */
export function callStartMs(): number {
  return current?.startedMs ?? performance.now();
}

/**
 * One step of a filesystem that answers asynchronously (`FileSystem.asynchronous`): `run` gives its
 * result or a promise of it. A promise parks the call (Blocked, retried when it settles); a retry
 * runs the call again from its start, and every step it had finished gives its recorded outcome
 * instead of running again, so a call's steps each happen once, in order, whatever it did in between.
 * A step that does not finish at once must be the last one to change anything before the call
 * returns (as every wait here must come before a change): the handler only writes its results after.
 * Without a thread dispatcher (the guest on this very thread) nothing could ever settle a promise
 * while the guest waits, so that is a WasiStateError, before anything has run.
 */
export function settle<T>(run: () => T | Promise<T>): T {
  return step(run, false);
}

/**
 * A step of an asynchronous filesystem that never waits (it changes only what the filesystem keeps
 * in memory: a position, a handle closed): recorded like any step inside a call, so a retry does not
 * do it twice; run as it is outside one (the end of a run closing every fd).
 */
export function settleNow<T>(run: () => T): T {
  return step(run, true);
}

function step<T>(run: () => T | Promise<T>, syncOnly: boolean): T {
  const c = current;
  if (!c && syncOnly) return run() as T;
  if (!c) {
    throw new WasiStateError(
      'ERR_WASI_NO_THREADS',
      'wasi-kit: this filesystem answers asynchronously, so its guest must wait in a worker: run a threaded program (shared memory) with WASI.run()',
    );
  }
  // A step is in flight (a `finally` after the park, say): nothing more starts until it settles.
  if (c.pending) throw new Blocked(undefined, false, c.pending);
  const i = c.cursor++;
  const done = c.outcomes[i];
  if (done) {
    if (done.ok) return done.value as T;
    throw done.error;
  }
  let r: T | Promise<T>;
  try {
    r = run();
  } catch (error) {
    c.outcomes.push({ ok: false, error });
    throw error;
  }
  if (!(r instanceof Promise)) {
    c.outcomes.push({ ok: true, value: r });
    return r;
  }
  const pending = r.then(
    (value) => void c.outcomes.push({ ok: true, value }),
    (error: unknown) => void c.outcomes.push({ ok: false, error }),
  );
  c.pending = pending.then(() => {
    c.pending = undefined;
  });
  throw new Blocked(undefined, false, c.pending);
}

/** Waits on `w` for at most `timeoutMs` (Infinity: no limit), or parks the call. */
export function waitOn(w: Waiter, timeoutMs: number, external = true): void {
  if (current) {
    if (timeoutMs <= 0) return;
    throw new Blocked(Number.isFinite(timeoutMs) ? performance.now() + timeoutMs : undefined, external);
  }
  w.wait(timeoutMs);
}

/** With several independent waiters, each is waited on for at most this long in turn (bounded, not spinning). */
const SLICE_MS = 10;

/**
 * Waits until one of `waiters` may have changed, or `timeoutMs` has passed (Infinity: no limit), or
 * parks the call: the one wait of poll_oneoff and epoll_wait.
 */
export function waitOnAny(waiters: Iterable<Waiter>, timeoutMs: number): void {
  const all = [...waiters];
  if (all.length === 1) waitOn(all[0]!, timeoutMs);
  else for (const w of all) waitOn(w, Math.min(timeoutMs, SLICE_MS));
}

/**
 * For a wait that only another guest thread can end (an empty pipe, a futex, a join): parks the call
 * when threads run; with one thread nothing could ever end it, so `deadlk` rather than a hang.
 */
export function waitForOtherThreads(what: string): never {
  if (current) throw new Blocked(undefined, false);
  throw new WasiError('deadlk', `${what} would wait forever: no other thread can change it`);
}

/**
 * Sleeps until `deadlineMs` (host-monotonic), waking early only to park: the sleep a single thread
 * takes with `sleep`, or a parked call with that deadline.
 */
export function sleepUntil(deadlineMs: number, sleep: (ms: number) => void): void {
  const left = deadlineMs - performance.now();
  if (left <= 0) return;
  if (current) throw new Blocked(deadlineMs, false);
  sleep(left);
}
