import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FromWorker } from '../threads/messages.js';
import type { GuestWorker, ThreadPlatform } from './platform.js';

// Built, this file sits in a sibling folder of threads/guest-worker-node.js. Run from source (tests), the worker is the .ts
// file, loaded through tsx, which the tests already use.
const fromSource = import.meta.url.endsWith('.ts');
const entry = new URL(fromSource ? '../threads/guest-worker-node.ts' : '../threads/guest-worker-node.js', import.meta.url);

/** A new Node worker running a guest thread's body (src/threads/guest-worker-node.ts). */
export function newGuestThreadWorker(): Worker {
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
