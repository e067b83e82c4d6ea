/**
 * A network client on a worker thread: the guest runs synchronously on the test's thread, so whatever
 * talks to it must run elsewhere. `body` is plain JS (an async function body with `net`, `http`,
 * `data` in scope) returning the result; every client gives up after `timeoutMs`.
 */
import { Worker } from 'node:worker_threads';

export function clientThread<T>(body: string, data: unknown, timeoutMs = 10_000): Promise<T> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const net = require('node:net');
    const http = require('node:http');
    const data = workerData;
    const timer = setTimeout(() => { parentPort.postMessage({ error: 'client timed out' }); process.exit(0); }, ${timeoutMs});
    (async () => { ${body} })().then(
      (result) => { clearTimeout(timer); parentPort.postMessage({ result }); },
      (e) => { clearTimeout(timer); parentPort.postMessage({ error: String(e && e.stack || e) }); },
    );`;
  const worker = new Worker(source, { eval: true, workerData: data });
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (m: { result?: T; error?: string }) => {
      void worker.terminate();
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.result as T);
    });
    worker.once('error', reject);
  });
}
