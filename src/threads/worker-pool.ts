import type { GuestWorker, ThreadPlatform } from '../platform/platform.js';
import type { FromWorker } from './messages.js';

// Workers kept for the next process of a run. Starting a worker costs tens of milliseconds (a new
// JavaScript realm), far more than what a fork or a spawn does itself (copying memory, instantiating a
// module), and a shell starts a process per command. A worker whose guest thread has returned is idle
// (guest-thread.ts takes a new `init` and `start` at any time), so the next process can have it.

interface Pooled {
  readonly worker: GuestWorker;
  onMessage?: (m: FromWorker) => void;
  onError?: (err: Error) => void;
  dead: boolean;
}

/**
 * A ThreadPlatform that lends its workers: `release` of a worker keeps it (up to `keep` of them) for the
 * next `createWorker`, `terminate` stops it. `close` stops every kept worker (the end of the run).
 */
export class WorkerPool implements ThreadPlatform {
  readonly #idle: Pooled[] = [];
  #closed = false;

  constructor(
    private readonly base: ThreadPlatform,
    private readonly keep: number,
  ) {}

  get parallelism(): number {
    return this.base.parallelism;
  }

  unavailable(): string | undefined {
    return this.base.unavailable();
  }

  createWorker(): GuestWorker {
    let p = this.#idle.pop();
    if (!p) {
      const made: Pooled = { worker: this.base.createWorker(), dead: false };
      made.worker.listen(
        (m) => made.onMessage?.(m),
        (err) => {
          made.dead = true;
          made.onError?.(err);
        },
      );
      p = made;
    }
    const lent = p;
    return {
      post: (m) => lent.worker.post(m),
      listen(onMessage, onError) {
        lent.onMessage = onMessage;
        lent.onError = onError;
      },
      terminate: () => {
        lent.onMessage = lent.onError = undefined;
        return lent.worker.terminate();
      },
      release: async () => {
        lent.onMessage = lent.onError = undefined;
        if (lent.dead || this.#closed || this.#idle.length >= this.keep) await lent.worker.terminate();
        else {
          // The ended process's memory is not kept alive by an idle worker.
          lent.worker.post({ type: 'reset' });
          this.#idle.push(lent);
        }
      },
    };
  }

  /** Stops every kept worker; a worker released afterwards is stopped too. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#idle.splice(0).map((p) => p.worker.terminate()));
  }
}
