import type { FromWorker, ToWorker } from '../threads/messages.js';

/** A guest thread's worker as the kernel sees it. */
export interface GuestWorker {
  post(message: ToWorker): void;
  /** Messages from the worker, and an error that killed it (an uncaught exception, a failed load). */
  listen(onMessage: (m: FromWorker) => void, onError: (err: Error) => void): void;
  /** Stops the worker, whatever it is doing; resolves once it is gone. */
  terminate(): Promise<void>;
}

/** What threads need from the host: workers running src/threads/guest-worker-*.ts, and the core count. */
export interface ThreadPlatform {
  createWorker(): GuestWorker;
  readonly parallelism: number;
  /** Why threads cannot run here (e.g. a page that is not cross-origin isolated), or undefined. */
  unavailable(): string | undefined;
}

let threadPlatform: ThreadPlatform | undefined;

/** Set by the entry point (Node or browser). */
export function setThreadPlatform(p: ThreadPlatform): void {
  threadPlatform = p;
}

export function getThreadPlatform(): ThreadPlatform | undefined {
  return threadPlatform;
}
