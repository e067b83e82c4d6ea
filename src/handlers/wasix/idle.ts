import { sleepUntil, waitForOtherThreads } from '../../kernel/blocking.js';
import type { Process } from '../../kernel/process.js';
import type { Waiter } from '../../stdio.js';

const internal = new WeakSet<Waiter>();

/**
 * The waiter of something only the guest's own threads can change (a pipe, an event counter, a socket
 * pair): nothing outside can wake it. A wait with a deadline sleeps to it; one without could only end
 * by another guest thread, so it parks the call when threads run and is `deadlk` on one thread. Either
 * way an interval timer expiring first ends the wait with `intr` once its signal is delivered.
 */
export function idleWaiter(k: Process, what: string): Waiter {
  const w: Waiter = {
    wait(timeoutMs) {
      const { signals, sleepMs } = k.kernel.current ?? k;
      signals.interruptWait(timeoutMs, sleepMs);
      if (!Number.isFinite(timeoutMs)) waitForOtherThreads(what);
      sleepUntil(performance.now() + timeoutMs, sleepMs);
    },
  };
  internal.add(w);
  return w;
}

/** True for a waiter from `idleWaiter`: waiting on it watches nothing outside the guest. */
export const isIdleWaiter = (w: Waiter): boolean => internal.has(w);
