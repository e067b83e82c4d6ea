import type { ErrnoName } from './abi/wasi-error.js';

/** Blocks the calling thread until something it watches may have changed, or `timeoutMs` has passed. */
export interface Waiter {
  wait(timeoutMs: number): void;
}

/** What `poll_oneoff` reports for a ready fd: bytes available, end of stream, or a failure. */
export interface Readiness {
  nbytes: bigint;
  hangup: boolean;
  /** An errno name when the stream has failed. */
  error?: ErrnoName;
}

/**
 * Where a guest's stdin bytes come from. `read` fills `into` and returns the count; 0 means end.
 * A source that can be waiting for bytes (a stream fed by another thread) says so through
 * `readiness` (undefined: a read would block) and `waiter`; a source without them is always ready.
 */
export interface InputSource {
  read(into: Uint8Array): number;
  /**
   * Optional: reads into `buffer` from `offset`, at most `length` bytes, as `read` would. The guest's
   * memory is passed whole, so a source over a host fd needs no view per call (as
   * {@link OutputSink.writeRange}).
   */
  readRange?(buffer: Uint8Array, offset: number, length: number): number;
  readiness?(): Readiness | undefined;
  readonly waiter?: Waiter;
}

/** Where a guest's stdout or stderr bytes go. `write` consumes all of `bytes` before returning. */
export interface OutputSink {
  write(bytes: Uint8Array): void;
  /**
   * Optional: writes `length` bytes of `buffer` from `offset`, as `write` would. The guest's memory is
   * passed whole, so a sink over a host fd needs no view per call (one per call costs as much as a
   * small write).
   */
  writeRange?(buffer: Uint8Array, offset: number, length: number): void;
  /**
   * Optional, for a bounded stream (a pipe): writes what fits of `bytes` now and returns the count (at
   * least 1), or waits (parks the call) or throws (`again`, `pipe`) as `write` would.
   */
  writeSome?(bytes: Uint8Array): number;
  /** Optional: what poll_oneoff reports for writing; undefined while a write would wait (a full pipe). */
  writeReadiness?(): Readiness | undefined;
}

const encoder = new TextEncoder();

/** stdin from fixed bytes or a string: read in order, then end of file. */
export function bytesSource(data: Uint8Array | string): InputSource {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  let at = 0;
  return {
    read(into) {
      const n = Math.min(into.length, bytes.length - at);
      into.set(bytes.subarray(at, at + n));
      at += n;
      return n;
    },
    readiness: () => ({ nbytes: BigInt(bytes.length - at), hangup: at >= bytes.length }),
  };
}

/** stdin from a synchronous callback returning the next bytes, or null at end of file. */
export function callbackSource(next: () => Uint8Array | string | null): InputSource {
  let pending: Uint8Array | null = new Uint8Array(0);
  let at = 0;
  return {
    read(into) {
      while (pending && at >= pending.length) {
        const chunk = next();
        pending = chunk === null ? null : typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
        at = 0;
      }
      if (!pending) return 0;
      const n = Math.min(into.length, pending.length - at);
      into.set(pending.subarray(at, at + n));
      at += n;
      return n;
    },
  };
}

/** stdout/stderr to a callback; each call gets its own copy of the bytes, so nothing is lost or reused. */
export function callbackSink(write: (bytes: Uint8Array) => void): OutputSink {
  return { write: (bytes) => write(bytes.slice()) };
}

export const emptySource: InputSource = { read: () => 0 };
