import { browserGuestWorkerUrl } from '../threads/browser-worker-url.js';
import type { FromWorker } from '../threads/messages.js';
import type { ThreadPlatform } from './platform.js';

/** Guest threads on module workers; a bundler must emit guest-worker-browser.js beside the bundle (src/threads/browser-worker-url.ts). */
export const browserThreadPlatform: ThreadPlatform = {
  parallelism: globalThis.navigator?.hardwareConcurrency ?? 1,
  unavailable() {
    if (!globalThis.crossOriginIsolated) {
      return 'threads need SharedArrayBuffer, which a browser gives only to a cross-origin isolated page (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
    }
    if (typeof (Atomics as unknown as { waitAsync?: unknown }).waitAsync !== 'function') return 'threads need Atomics.waitAsync, which this browser lacks';
    return undefined;
  },
  createWorker() {
    const worker = new Worker(browserGuestWorkerUrl(), { type: 'module' });
    return {
      post: (m) => worker.postMessage(m),
      listen(onMessage, onError) {
        worker.addEventListener('message', (e: MessageEvent<FromWorker>) => onMessage(e.data));
        worker.addEventListener('error', (e) => onError(new Error(e.message || 'the guest thread worker failed to load')));
      },
      terminate() {
        worker.terminate();
        return Promise.resolve();
      },
    };
  },
};
