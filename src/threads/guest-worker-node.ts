// Entry of a guest thread's worker on Node.
import { parentPort } from 'node:worker_threads';
import { guestThread } from './guest-thread.js';
import type { ToWorker } from './messages.js';

const port = parentPort!;
guestThread({ post: (m) => port.postMessage(m), onMessage: (h) => port.on('message', (m: ToWorker) => h(m)) });
