import { WasiError } from './abi/errno-of.js';
import type { PipePlace } from './kernel/pipe-arena.js';
import { CLOSED, WOULD_WAIT } from './pipe-ring.js';
import type { Readiness } from './stdio.js';

/** One direction of a pipe or socket pair: bytes written at one end, waiting to be read at the other. */
export class ByteQueue {
  private readonly chunks: Uint8Array[] = [];
  private at = 0;
  size = 0;
  readerOpen = true;
  writerOpen = true;

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes.slice());
    this.size += bytes.length;
  }

  /** Copies up to `into.length` bytes into `into`, removing them unless `consume` is false (peek). */
  take(into: Uint8Array, consume = true): number {
    if (!consume) {
      let n = 0;
      for (let i = 0, at = this.at; i < this.chunks.length && n < into.length; i++, at = 0) {
        const part = this.chunks[i]!.subarray(at, at + into.length - n);
        into.set(part, n);
        n += part.length;
      }
      return n;
    }
    let n = 0;
    while (n < into.length && this.chunks.length > 0) {
      const head = this.chunks[0]!;
      const k = Math.min(into.length - n, head.length - this.at);
      into.set(head.subarray(this.at, this.at + k), n);
      n += k;
      this.at += k;
      if (this.at === head.length) {
        this.chunks.shift();
        this.at = 0;
      }
    }
    this.size -= n;
    return n;
  }
}

/** One end of a pipe: reads what the other end wrote, writes what the other end reads. */
export interface PipeEnd {
  /** Bytes read into `into`; 0 at end (empty, and the other end is closed); undefined when a read would wait. */
  read(into: Uint8Array): number | undefined;
  /** Bytes of `bytes` written (what fits: a write of at most PIPE_BUF bytes whole or not at all); undefined when it would wait; `pipe` when the other end is closed. */
  write(bytes: Uint8Array): number | undefined;
  /** What poll_oneoff reports for reading; undefined while a read would wait. */
  readiness(): Readiness | undefined;
  /** What poll_oneoff reports for writing; undefined while a write would wait (the pipe is full). */
  writeReadiness(): Readiness | undefined;
  /** This end's fdflags, kept with the pipe so that workers see them. */
  flags: number;
  /** Its place in the kernel's arena (workers may serve it), when it has one. */
  readonly fast: { readonly slot: number; readonly end: 0 | 1 } | undefined;
  close(): void;
}

/**
 * A pipe of PIPE_CAPACITY bytes each way in `place` (kernel/pipe-arena.ts). Bidirectional, as WASIX's
 * `fd_pipe` says: each end reads what the other writes (end 0 writes direction 0, end 1 direction 1).
 */
export function createPipe(place: PipePlace): [PipeEnd, PipeEnd] {
  let open = 2;
  const closed = () => {
    if (--open === 0) place.free();
  };
  return [end(place, 0, closed), end(place, 1, closed)];
}

function end(place: PipePlace, me: 0 | 1, closed: () => void): PipeEnd {
  const b = place.buffer;
  const out = me;
  const inbound: 0 | 1 = me === 0 ? 1 : 0;
  let open = true;
  // Asks to hear of the next change (a worker's), then looks again: a change in between is not missed.
  const retry = (d: 0 | 1, attempt: () => number) => {
    const n = attempt();
    if (n !== WOULD_WAIT) return n;
    b.watch(d);
    return attempt();
  };
  return {
    read(into) {
      if (into.length === 0) return 0;
      const n = retry(inbound, () => b.read(inbound, into, 0, into.length));
      return n === WOULD_WAIT ? undefined : n;
    },
    write(bytes) {
      if (bytes.length === 0) {
        if (!b.readerOpen(out)) throw new WasiError('pipe', 'the other end of the pipe is closed');
        return 0;
      }
      const n = retry(out, () => b.write(out, bytes, 0, bytes.length));
      if (n === CLOSED) throw new WasiError('pipe', 'the other end of the pipe is closed');
      return n === WOULD_WAIT ? undefined : n;
    },
    readiness() {
      const ready = (): Readiness | undefined => {
        const n = b.available(inbound);
        if (n > 0) return { nbytes: BigInt(n), hangup: !b.writerOpen(inbound) };
        return b.writerOpen(inbound) ? undefined : { nbytes: 0n, hangup: true };
      };
      const r = ready();
      if (r) return r;
      b.watch(inbound);
      return ready();
    },
    writeReadiness() {
      // With no reader left a write fails at once (EPIPE): ready, as Linux reports POLLOUT|POLLERR.
      const ready = (): Readiness | undefined => (!b.readerOpen(out) ? { nbytes: 0n, hangup: false } : b.room(out) > 0 ? { nbytes: BigInt(b.room(out)), hangup: false } : undefined);
      const r = ready();
      if (r) return r;
      b.watch(out);
      return ready();
    },
    get flags() {
      return b.flags(me);
    },
    set flags(v: number) {
      b.setFlags(me, v);
    },
    fast: place.slot === undefined ? undefined : { slot: place.slot, end: me },
    close() {
      if (!open) return;
      open = false;
      b.close(out, true);
      b.close(inbound, false);
      closed();
    },
  };
}
