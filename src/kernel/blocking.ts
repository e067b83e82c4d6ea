import { Unwind, WasiError } from '../abi/errno-of.js';
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
 * a socket), so the dispatcher looks again from time to time rather than only after other syscalls.
 */
export class Blocked extends Unwind {
  constructor(
    readonly deadlineMs: number | undefined,
    readonly external: boolean,
  ) {
    super('blocked');
  }
}

let parking = false;
let firstAttemptMs: number | undefined;

/**
 * Runs `call` with waits turned into `Blocked`; `startedMs` is when the call was first attempted, so
 * relative timeouts count from there on every retry. Used only by the thread dispatcher.
 */
export function parkingWaits<T>(startedMs: number, call: () => T): T {
  parking = true;
  firstAttemptMs = startedMs;
  try {
    return call();
  } finally {
    parking = false;
    firstAttemptMs = undefined;
  }
}

/** The host-monotonic time this call began (its first attempt when retried), in ms. */
export function callStartMs(): number {
  return firstAttemptMs ?? performance.now();
}

/** Waits on `w` for at most `timeoutMs` (Infinity: no limit), or parks the call. */
export function waitOn(w: Waiter, timeoutMs: number, external = true): void {
  if (parking) {
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
  if (parking) throw new Blocked(undefined, false);
  throw new WasiError('deadlk', `${what} would wait forever: no other thread can change it`);
}

/**
 * Sleeps until `deadlineMs` (host-monotonic), waking early only to park: the sleep a single thread
 * takes with `sleep`, or a parked call with that deadline.
 */
export function sleepUntil(deadlineMs: number, sleep: (ms: number) => void): void {
  const left = deadlineMs - performance.now();
  if (left <= 0) return;
  if (parking) throw new Blocked(deadlineMs, false);
  sleep(left);
}
