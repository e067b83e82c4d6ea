import { WasiError } from './abi/errno-of.js';
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
  /** Queues all of `bytes`; `pipe` when the other end is closed. */
  write(bytes: Uint8Array): void;
  /** What poll_oneoff reports for reading; undefined while a read would wait. */
  readiness(): Readiness | undefined;
  close(): void;
}

/** A pipe in memory, unbounded (a write never waits). Bidirectional, as WASIX's `fd_pipe` says: each end reads what the other writes. */
export function createPipe(): [PipeEnd, PipeEnd] {
  const ab = new ByteQueue();
  const ba = new ByteQueue();
  return [end(ba, ab), end(ab, ba)];
}

function end(inbound: ByteQueue, outbound: ByteQueue): PipeEnd {
  let open = true;
  return {
    read(into) {
      if (inbound.size > 0 || into.length === 0) return inbound.take(into);
      return inbound.writerOpen ? undefined : 0;
    },
    write(bytes) {
      if (!outbound.readerOpen) throw new WasiError('pipe', 'the other end of the pipe is closed');
      outbound.push(bytes);
    },
    readiness() {
      if (inbound.size > 0) return { nbytes: BigInt(inbound.size), hangup: !inbound.writerOpen };
      return inbound.writerOpen ? undefined : { nbytes: 0n, hangup: true };
    },
    close() {
      if (!open) return;
      open = false;
      inbound.readerOpen = false;
      outbound.writerOpen = false;
    },
  };
}
