import type { Worker } from 'node:worker_threads';
import { asGuestWorker, newGuestThreadWorker } from '../../src/platform/node-workers.js';
import { getThreadPlatform, setThreadPlatform, type ThreadPlatform } from '../../src/platform/platform.js';

// A Node thread platform that keeps every Worker it makes, so a test can check that none is left
// running once run() settles (a Worker does not show in process.getActiveResourcesInfo()). It makes
// workers as src/platform/node-workers.ts does.

export interface TrackedPlatform extends ThreadPlatform {
  readonly workers: Worker[];
  /** Workers whose thread has not exited (Node sets threadId to -1 once it has). */
  alive(): Worker[];
}

/** `failAt`: from this 1-based createWorker call on, each throws, as on a host out of threads. */
export function trackedPlatform(failAt?: number): TrackedPlatform {
  const workers: Worker[] = [];
  let made = 0;
  return {
    workers,
    alive: () => workers.filter((w) => w.threadId !== -1),
    parallelism: 2,
    unavailable: () => undefined,
    createWorker() {
      if (failAt !== undefined && ++made >= failAt) throw new Error('ERR_WORKER_INIT_FAILED: no more threads');
      const worker = newGuestThreadWorker();
      workers.push(worker);
      return asGuestWorker(worker);
    },
  };
}

/** Runs `body` with `p` as the thread platform, then puts the previous one back. */
export async function withPlatform<T>(p: ThreadPlatform, body: () => Promise<T>): Promise<T> {
  const previous = getThreadPlatform();
  setThreadPlatform(p);
  try {
    return await body();
  } finally {
    if (previous) setThreadPlatform(previous);
  }
}
