import { WasiError } from '../abi/errno-of.js';
import { ProcExit, WasiOptionError } from '../errors.js';
import { emptySource, type OutputSink } from '../stdio.js';
import { browserThreadPlatform } from './browser-workers.js';
import type { Platform } from './platform.js';

// HR-Time lets browsers coarsen performance.now() to 5 µs when cross-origin isolated and 100 µs
// otherwise (Chrome uses exactly these; Firefox and Safari are coarser still). Report the bound.
const coarseningNs = (): bigint => (globalThis.crossOriginIsolated ? 5_000n : 100_000n);

const msToNs = (ms: number) => BigInt(Math.round(ms * 1e6));
const monotonicNs = () => msToNs(performance.now());
const originNs = BigInt(Math.round(performance.timeOrigin * 1e3)) * 1000n;

/** getRandomValues fills at most 64 KiB per call and refuses views over a SharedArrayBuffer. */
const RANDOM_CHUNK = 65_536;
let randomScratch: Uint8Array | undefined;
function randomFill(into: Uint8Array): void {
  const shared = typeof SharedArrayBuffer !== 'undefined' && into.buffer instanceof SharedArrayBuffer;
  for (let at = 0; at < into.length; at += RANDOM_CHUNK) {
    const part = into.subarray(at, Math.min(into.length, at + RANDOM_CHUNK));
    if (!shared) {
      crypto.getRandomValues(part);
      continue;
    }
    randomScratch ??= new Uint8Array(RANDOM_CHUNK);
    const scratch = randomScratch.subarray(0, part.length);
    crypto.getRandomValues(scratch);
    part.set(scratch);
  }
}

/**
 * Atomics.wait blocks only in a worker of a cross-origin-isolated page (SharedArrayBuffer); the main
 * thread may not block at all, and spinning would freeze the page, so a sleep there fails with `notsup`.
 */
let sleepCell: Int32Array | undefined;
function sleepNs(ns: bigint): void {
  if (typeof SharedArrayBuffer === 'undefined') {
    throw new WasiError('notsup', 'sleeping needs SharedArrayBuffer: a cross-origin-isolated page (COOP/COEP headers) and a worker');
  }
  sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
  try {
    Atomics.wait(sleepCell, 0, 0, Number(ns) / 1e6);
  } catch (err) {
    // The browser main thread refuses to block.
    if (err instanceof TypeError) throw new WasiError('notsup', `sleeping is not allowed on this thread (${err.message}); run the guest in a worker`);
    throw err;
  }
}

/**
 * Bytes to `console.log`/`console.error`, one call per line: UTF-8 is decoded as a stream (a
 * character split across writes stays whole) and a partial last line is logged once the current
 * synchronous run (`start()` or a reactor call) has returned, from a microtask.
 */
function consoleSink(log: (line: string) => void): OutputSink {
  const decoder = new TextDecoder();
  let pending = '';
  let flushQueued = false;
  const flush = () => {
    flushQueued = false;
    pending += decoder.decode();
    if (pending !== '') log(pending);
    pending = '';
  };
  return {
    write(bytes) {
      pending += decoder.decode(bytes, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) log(line);
      if (!flushQueued) {
        flushQueued = true;
        queueMicrotask(flush);
      }
    },
  };
}

const noHostFd = (fd: number): never => {
  throw new WasiOptionError('ERR_INVALID_ARG_VALUE', `host fd ${fd}`, `a browser has no host file descriptor ${fd}; pass bytes, a string or a callback for stdio`);
};

let stdout: OutputSink | undefined;
let stderr: OutputSink | undefined;

/** The browser (main thread or worker): no host files or fds; stdout and stderr go to the console. */
export const browserPlatform: Platform = {
  monotonicNs,
  realtimeNs: () => originNs + monotonicNs(),
  // Browsers expose no CPU time; time since the page (or worker) started is the honest upper bound.
  cpuTimeNs: monotonicNs,
  get resolutionNs() {
    const ns = coarseningNs();
    return { realtime: ns, monotonic: ns, cputime: ns };
  },
  randomFill,
  sleepNs,
  hostInput: (fd) => (fd === 0 ? emptySource : noHostFd(fd)),
  hostOutput: (fd) => {
    if (fd === 1) return (stdout ??= consoleSink((line) => console.log(line)));
    if (fd === 2) return (stderr ??= consoleSink((line) => console.error(line)));
    return noHostFd(fd);
  },
  hostFdKind: () => 'unknown',
  // There is no process to end: `returnOnExit: false` makes start() throw ProcExit with the code.
  exit: (code) => {
    throw new ProcExit(code);
  },
  threads: browserThreadPlatform,
};
