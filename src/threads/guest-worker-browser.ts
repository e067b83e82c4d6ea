// Entry of a guest thread's worker in a browser (a module worker).
import { guestThread } from './guest-thread.js';
import type { ToWorker } from './messages.js';

const scope = globalThis as unknown as { postMessage(m: unknown): void; addEventListener(t: 'message', h: (e: MessageEvent<ToWorker>) => void): void };
guestThread({ post: (m) => scope.postMessage(m), onMessage: (h) => scope.addEventListener('message', (e) => h(e.data)) });
