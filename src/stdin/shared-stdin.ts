import { waitOn } from '../kernel/blocking.js';
import { WasiError } from '../abi/errno-of.js';
import type { InputSource, Waiter } from '../stdio.js';

// Header cells (Int32): bytes written and bytes read (free-running u32 counters), the end flag, a
// sequence number bumped on every change so either side can Atomics.wait for the other, and a
// one-time end of file (a terminal's Ctrl-D) waiting at a written position: its flag and position.
const WRITTEN = 0;
const READ = 1;
const ENDED = 2;
const SEQ = 3;
const EOF_PENDING = 4;
const EOF_AT = 5;
const HEADER = 32;

/**
 * A byte ring in a SharedArrayBuffer carrying stdin from one thread to a guest blocked on another:
 * the page (or any thread) writes, the guest's thread reads, waiting with Atomics.wait while it is
 * empty. Make one, pass `buffer` to the guest's worker, and there `new SharedStdin(buffer)` as
 * `options.stdin`. One writer and one reader.
 */
export class SharedStdin {
  readonly buffer: SharedArrayBuffer;
  readonly #h: Int32Array;
  readonly #data: Uint8Array;
  readonly #mask: number;

  /** A new ring of `capacity` bytes (a power of two), or the far end of an existing ring's `buffer`. */
  constructor(bufferOrCapacity: SharedArrayBuffer | number = 65_536) {
    if (typeof bufferOrCapacity === 'number') {
      const c = bufferOrCapacity;
      if (!Number.isInteger(c) || c < 16 || (c & (c - 1)) !== 0) throw new RangeError(`SharedStdin capacity must be a power of two >= 16, not ${c}`);
      this.buffer = new SharedArrayBuffer(HEADER + c);
    } else {
      this.buffer = bufferOrCapacity;
    }
    this.#h = new Int32Array(this.buffer, 0, 6);
    this.#data = new Uint8Array(this.buffer, HEADER);
    this.#mask = this.#data.length - 1;
    if ((this.#data.length & this.#mask) !== 0) throw new RangeError(`SharedStdin buffer must hold ${HEADER} bytes and a power-of-two ring`);
  }

  /** Bytes written and not yet read. */
  get available(): number {
    return (Atomics.load(this.#h, WRITTEN) - Atomics.load(this.#h, READ)) >>> 0;
  }

  get ended(): boolean {
    return Atomics.load(this.#h, ENDED) !== 0;
  }

  /** Writes what fits without waiting and returns how many bytes that was. */
  write(bytes: Uint8Array | string): number {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    if (this.ended) throw new Error('SharedStdin: write after end()');
    const w = Atomics.load(this.#h, WRITTEN) >>> 0;
    const n = Math.min(b.length, this.#data.length - this.available);
    for (let i = 0; i < n; i++) this.#data[(w + i) & this.#mask] = b[i]!;
    Atomics.store(this.#h, WRITTEN, (w + n) | 0);
    if (n > 0) this.#bump();
    return n;
  }

  /** Writes every byte, waiting (without blocking this thread) while the ring is full. */
  async writeAll(bytes: Uint8Array | string): Promise<void> {
    let b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    for (;;) {
      b = b.subarray(this.write(b));
      if (b.length === 0) return;
      const seq = Atomics.load(this.#h, SEQ);
      if (this.available < this.#data.length) continue;
      // Atomics.waitAsync is missing in some browsers; a short timer is the bounded fallback.
      const waitAsync = (Atomics as { waitAsync?: (a: Int32Array, i: number, v: number, t: number) => { async: boolean; value: unknown } }).waitAsync;
      if (waitAsync) {
        const r = waitAsync(this.#h, SEQ, seq, 1000);
        if (r.async) await r.value;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }

  /**
   * End of file once, as a terminal's Ctrl-D on an empty line: when the bytes written so far have been
   * read, one read returns 0, and reading goes on after it (a shell that ran `cat` reads its next
   * line). A second one before the first is read is the same one.
   */
  eof(): void {
    if (this.ended || Atomics.load(this.#h, EOF_PENDING) !== 0) return;
    Atomics.store(this.#h, EOF_AT, Atomics.load(this.#h, WRITTEN));
    Atomics.store(this.#h, EOF_PENDING, 1);
    this.#bump();
  }

  /** Bytes the reader may take now: those before a pending one-time end of file. */
  #readable(): number {
    if (Atomics.load(this.#h, EOF_PENDING) === 0) return this.available;
    return (Atomics.load(this.#h, EOF_AT) - Atomics.load(this.#h, READ)) >>> 0;
  }

  /** A pending one-time end of file has been reached: the reader's next read gives 0. */
  #atEof(): boolean {
    return Atomics.load(this.#h, EOF_PENDING) !== 0 && Atomics.load(this.#h, EOF_AT) === Atomics.load(this.#h, READ);
  }

  /** No more bytes: once the ring is drained, the guest reads end of file. */
  end(): void {
    Atomics.store(this.#h, ENDED, 1);
    this.#bump();
  }

  #bump(): void {
    Atomics.add(this.#h, SEQ, 1);
    Atomics.notify(this.#h, SEQ);
  }

  /** The reading end, as `options.stdin` uses it (the WASI constructor takes the SharedStdin itself). */
  source(): InputSource {
    const waiter: Waiter = {
      wait: (timeoutMs) => {
        const seq = Atomics.load(this.#h, SEQ);
        if (this.available > 0 || this.ended || this.#atEof()) return;
        try {
          Atomics.wait(this.#h, SEQ, seq, timeoutMs);
        } catch (err) {
          // A browser's main thread may not block: there the guest must run in a worker.
          if (err instanceof TypeError) throw new WasiError('notsup', `waiting for stdin is not allowed on this thread (${err.message}); run the guest in a worker`);
          throw err;
        }
      },
    };
    return {
      read: (into) => {
        while (this.available === 0 && !this.ended && !this.#atEof()) waitOn(waiter, Infinity);
        if (this.#atEof()) {
          Atomics.store(this.#h, EOF_PENDING, 0);
          this.#bump();
          return 0;
        }
        const r = Atomics.load(this.#h, READ) >>> 0;
        const n = Math.min(into.length, this.#readable());
        for (let i = 0; i < n; i++) into[i] = this.#data[(r + i) & this.#mask]!;
        Atomics.store(this.#h, READ, (r + n) | 0);
        if (n > 0) this.#bump();
        return n;
      },
      readiness: () => {
        if (this.#atEof()) return { nbytes: 0n, hangup: false };
        const n = this.#readable();
        return n > 0 || this.ended ? { nbytes: BigInt(n), hangup: n === 0 } : undefined;
      },
      waiter,
    };
  }
}

export const isSharedStdin = (v: unknown): v is SharedStdin => v instanceof SharedStdin;
