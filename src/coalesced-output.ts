/**
 * Opt-in coalesced stdout/stderr (`stdout: { fd: 1, buffer: true }`): small writes gather in a 64 KiB
 * buffer and reach the host in one call, as a C program's fully buffered stdio would. It changes when
 * a reader of the pipe sees the bytes, so it is off by default and bounded in time: the buffer is
 * flushed before any syscall that is not a write to it (so before every call that waits, and before
 * the output's order against stderr, files or a peer could be observed), when it fills, when the
 * program exits or traps, and at the end of the current JavaScript task (a reactor's export that
 * returns, a threaded program's kernel between messages).
 */
import type { FdTable } from './kernel/fd-table.js';
import type { OutputSink } from './stdio.js';
import type { ImportFunctions } from './trace.js';

/** How many bytes gather before they are written (the size of a pipe's buffer on Linux). */
export const COALESCE_BYTES = 64 * 1024;

export class CoalescedSink implements OutputSink {
  readonly #to: OutputSink;
  readonly #buffer = new Uint8Array(COALESCE_BYTES);
  #used = 0;
  #scheduled = false;
  /** A failure of a flush that no write was waiting for: reported by the next write, as a buffered stream does. */
  #failed: unknown;

  constructor(to: OutputSink) {
    this.#to = to;
  }

  write(bytes: Uint8Array): void {
    this.writeRange(bytes, 0, bytes.length);
  }

  writeRange(buffer: Uint8Array, offset: number, length: number): void {
    if (this.#failed !== undefined) {
      const err = this.#failed;
      this.#failed = undefined;
      throw err;
    }
    if (this.#used + length > COALESCE_BYTES) this.#drain();
    if (length >= COALESCE_BYTES) {
      if (this.#to.writeRange) this.#to.writeRange(buffer, offset, length);
      else this.#to.write(buffer.subarray(offset, offset + length));
      return;
    }
    this.#buffer.set(buffer.subarray(offset, offset + length), this.#used);
    this.#used += length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes what is gathered; a failure is kept for the next write (there is no caller to give it to). */
  flush(): void {
    try {
      this.#drain();
    } catch (err) {
      this.#failed = err;
    }
  }

  /** Writes what is gathered; throws what the host's write throws (the bytes are dropped then). */
  #drain(): void {
    const n = this.#used;
    if (n === 0) return;
    this.#used = 0;
    if (this.#to.writeRange) this.#to.writeRange(this.#buffer, 0, n);
    else this.#to.write(this.#buffer.slice(0, n));
  }
}

/** The import names that write to an fd given as their first argument (preview1, snapshot0, WASIX; the ephemeral phase's `wasi_ephemeral_fd.write`). */
const WRITES = new Set(['fd_write', 'write']);

/**
 * Wraps a module's imports so that every call flushes the coalesced sinks first, except a write to
 * an fd whose stream is one of them (so a run of writes gathers; a write elsewhere flushes too, which
 * keeps stdout's order against stderr).
 */
export function flushingBeforeCalls(fns: ImportFunctions, sinks: readonly CoalescedSink[], fds: FdTable): ImportFunctions {
  const flush = () => {
    for (const s of sinks) s.flush();
  };
  const writesToSink = (fd: unknown) => {
    let e;
    try {
      e = fds.get(fd as number, 0);
    } catch {
      return false;
    }
    return e.kind === 'stdio' && sinks.includes(e.sink as CoalescedSink);
  };
  const out: ImportFunctions = {};
  for (const [name, f] of Object.entries(fns)) {
    const call = f as (...args: unknown[]) => unknown;
    out[name] = WRITES.has(name)
      ? (...args: unknown[]) => {
          if (!writesToSink(args[0])) flush();
          return call(...args);
        }
      : (...args: unknown[]) => {
          flush();
          return call(...args);
        };
  }
  return out;
}
