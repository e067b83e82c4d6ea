import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { nodeWorkerThreads } from './node-builtins.js';
import type { FromWorker } from '../threads/messages.js';
import type { GuestWorker, ThreadPlatform } from './platform.js';

// Built, the worker is its own bundle beside the entry's (dist/guest-worker-node.js, scripts/build.mjs).
// Run from source (tests), it is the .ts file, loaded through tsx, which the tests already use.
const fromSource = import.meta.url.endsWith('.ts');
const entry = fromSource ? new URL('../threads/guest-worker-node.ts', import.meta.url) : new URL('./guest-worker-node.js', import.meta.url);

/** A new Node worker running a guest thread's body (src/threads/guest-worker-node.ts). */
export function newGuestThreadWorker(): Worker {
  const { Worker } = nodeWorkerThreads();
  return fromSource
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true })
    : new Worker(entry);
}

/** A Node worker as the kernel sees a guest thread's worker. */
export function asGuestWorker(worker: Worker): GuestWorker {
  return {
    post: (m) => worker.postMessage(m),
    listen(onMessage, onError) {
      worker.on('message', (m: FromWorker) => onMessage(m));
      worker.on('error', onError);
    },
    async terminate() {
      await worker.terminate();
    },
  };
}

/** Guest threads on Node's worker_threads. */
export const nodeThreadPlatform: ThreadPlatform = {
  parallelism: availableParallelism(),
  unavailable: () => undefined,
  createWorker: () => asGuestWorker(newGuestThreadWorker()),
};
