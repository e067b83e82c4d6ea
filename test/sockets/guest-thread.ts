/**
 * A guest run on a worker thread of its own, from source (tsx registered in the worker), which ends as
 * soon as the program does: the way a server runs when its thread or process is only the guest's.
 * Resolves the port the guest prints (`port N`), and its end.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WasiOptions } from '../../src/index.js';
import { REPO_ROOT, programPath } from '../helpers/run-program.js';

export function guestThread(program: string, args: string[], network: WasiOptions['network']): { port: Promise<number>; done: Promise<{ code: number; stdout: string }> } {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { readFileSync } = require('node:fs');
    import(workerData.tsx).then(({ register }) => { register(); return import(workerData.index); }).then(({ WASI }) => {
      let stdout = '';
      const wasi = new WASI({ args: workerData.args, stdin: '', network: workerData.network, stdout: (b) => {
        stdout += Buffer.from(b).toString();
        const m = /^port (\\d+)$/m.exec(stdout);
        if (m) parentPort.postMessage({ port: Number(m[1]) });
      } });
      const code = wasi.start(new WebAssembly.Instance(new WebAssembly.Module(readFileSync(workerData.wasm)), wasi.getImportObject()));
      wasi.close();
      parentPort.postMessage({ code, stdout });
    });`;
  const worker = new Worker(source, {
    eval: true,
    workerData: {
      tsx: pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/esm/api/index.mjs')).href,
      index: pathToFileURL(join(REPO_ROOT, 'src/index.ts')).href,
      wasm: programPath(program),
      args: [program, ...args],
      network,
    },
  });
  let onPort: (p: number) => void = () => {};
  const port = new Promise<number>((r) => (onPort = r));
  const done = new Promise<{ code: number; stdout: string }>((resolve, reject) => {
    worker.on('message', (m: { port?: number; code?: number; stdout?: string }) => (m.port !== undefined ? onPort(m.port) : resolve({ code: m.code!, stdout: m.stdout! })));
    worker.on('error', reject);
    worker.on('exit', () => reject(new Error('the guest thread ended without an exit code')));
  });
  return { port, done };
}
