/**
 * Node built-ins that only some programs use, loaded on first use rather than at import: `tty` and
 * `worker_threads` cost milliseconds each to load (measured on Node 20: about 2 and 4.5 ms), `crypto`
 * is needed only for `random_get`. Types come from the real modules.
 */
import { createRequire } from 'node:module';

type Crypto = typeof import('node:crypto');
type Tty = typeof import('node:tty');
type WorkerThreads = typeof import('node:worker_threads');

const require = createRequire(import.meta.url);
let crypto: Crypto | undefined;
let tty: Tty | undefined;
let workerThreads: WorkerThreads | undefined;

export const nodeCrypto = (): Crypto => (crypto ??= require('node:crypto') as Crypto);
export const nodeTty = (): Tty => (tty ??= require('node:tty') as Tty);
export const nodeWorkerThreads = (): WorkerThreads => (workerThreads ??= require('node:worker_threads') as WorkerThreads);
