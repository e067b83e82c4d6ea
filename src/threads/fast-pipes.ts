import type { GuestMemory } from '../abi/memory.js';
import { fastFdWord, SIGNALS_WORD, VFORK_WORD, wordEnd, wordMayRead, wordMayWrite, wordSlot } from '../fast-fds.js';
import { CLOSED, pipeInArena, type PipeBuffer } from '../pipe-ring.js';

// A guest thread's own fd_read and fd_write on a pipe in the kernel's arena (kernel/pipe-arena.ts):
// the bytes go between the guest's memory and the pipe's ring in this worker, with no round trip to the
// kernel, which is what made a pipe between two processes a tenth of the speed of a bare ring. Only the
// plain case is served here: an fd the process's map (fast-fds.ts) names as a pipe end with the right,
// well-formed iovecs, no signal or vfork needing the kernel. Everything else (EPIPE, nonblocking
// `again`, bad pointers, any fd the map does not name) goes to the kernel, which decides as before. A
// blocking call waits here, on the ring's counter, in slices, so that a signal raised meanwhile sends it
// to the kernel (which delivers it and ends the call with `intr`) within a slice.

/** preview1 errno success. */
const SUCCESS = 0;
const NONBLOCK = 4; // preview1 fdflags.nonblock
/** How long a waiting call sleeps before it looks at the process's signals again. */
const SLICE_MS = 5;

/** What a worker is given to serve pipes itself (InitMessage.fastPipes). */
export interface FastPipesInit {
  /** The kernel's arena (growable: its views track it as it grows). */
  readonly arena: SharedArrayBuffer;
  /** The process's map (fast-fds.ts). */
  readonly fds: SharedArrayBuffer;
  /** This worker's id for the pipes' locks (the kernel frees them if it stops the worker). */
  readonly lockId: number;
  /**
   * Two words: the arena slot + 1 of the pipe this worker is inside (0: none), for the kernel to leave it
   * if it stops the worker; and `stop`, which the kernel sets before it does (nothing more moves then).
   */
  readonly inside: SharedArrayBuffer;
}

type Raw = (fd: number, iovs: number, count: number, out: number) => number;

/**
 * fd_read or fd_write (`reading`) served here when it can be, else by `remote` (the kernel through the
 * channel); same arguments, same result.
 */
export function fastPipeCall(init: FastPipesInit, memory: GuestMemory, reading: boolean, remote: Raw): Raw {
  const words = new Int32Array(init.arena);
  const bytes = new Uint8Array(init.arena);
  const map = new Int32Array(init.fds);
  const inside = new Int32Array(init.inside);
  const stop = new Int32Array(init.inside, 4, 1);
  const pipes = new Map<number, PipeBuffer>();
  const pipeAt = (slot: number) => {
    let p = pipes.get(slot);
    if (!p) pipes.set(slot, (p = pipeInArena(words, bytes, slot, init.lockId, stop)));
    return p;
  };
  const attention = () => Atomics.load(map, SIGNALS_WORD) !== 0 || Atomics.load(map, VFORK_WORD) !== 0 || Atomics.load(stop, 0) !== 0;

  /** The count moved, or undefined: the kernel must answer this call. */
  const serve = (fd: number, iovs: number, count: number, out: number): number | undefined => {
    const word = fastFdWord(map, fd);
    if (word === 0 || !(reading ? wordMayRead(word) : wordMayWrite(word)) || attention()) return undefined;
    // Well-formed or the kernel's: it fails a bad pointer with nothing moved, as it always has.
    if (count <= 0 || count > 1024 || (iovs & 3) !== 0 || (out & 3) !== 0) return undefined;
    memory.refresh();
    const view = memory.view;
    const size = memory.u8.length;
    if (iovs + count * 8 > size || out + 4 > size) return undefined;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const buf = view.getUint32(iovs + 8 * i, true);
      const len = view.getUint32(iovs + 8 * i + 4, true);
      if (buf + len > size) return undefined;
      total += len;
    }
    if (total === 0) return undefined;
    const pipe = pipeAt(wordSlot(word));
    const end = wordEnd(word);
    // End e writes direction e and reads the other.
    const d: 0 | 1 = reading ? (end === 0 ? 1 : 0) : end;
    pipe.enter();
    Atomics.store(inside, 0, wordSlot(word) + 1);
    try {
      // The fd may have been closed (and its place given to another pipe) before this worker entered.
      if (fastFdWord(map, fd) !== word) return undefined;
      const nonblock = (pipe.flags(end) & NONBLOCK) !== 0;
      const u8 = memory.u8;
      let done = 0;
      for (let i = 0; i < count; i++) {
        const buf = view.getUint32(iovs + 8 * i, true);
        const len = view.getUint32(iovs + 8 * i + 4, true);
        let moved = 0;
        const counter = pipe.counterIndex(d, reading);
        while (moved < len) {
          // Read before trying: a change after the try ends the wait below at once.
          const seen = Atomics.load(words, counter);
          const n = reading ? pipe.read(d, u8, buf + moved, len - moved) : pipe.write(d, u8, buf + moved, len - moved);
          if (n > 0) {
            moved += n;
            // A read takes what is there; a write goes on until all of it is in (POSIX, blocking).
            if (reading) break;
            continue;
          }
          if (n === 0 && reading) return done + moved; // the end: no writer left
          // Nothing moved: with something already done, that is the call's answer (a short count; a
          // read never waits once it has bytes); else the kernel answers an EPIPE, a nonblocking
          // `again`, or a signal.
          if (n === CLOSED || nonblock || attention() || (reading && done + moved > 0)) return done + moved > 0 ? done + moved : undefined;
          // No spinning first: measured, it only takes the core the other side needs (the host has few).
          Atomics.wait(words, counter, seen, SLICE_MS);
        }
        done += moved;
        if (moved < len) break;
      }
      return done;
    } finally {
      Atomics.store(inside, 0, 0);
      pipe.leave();
    }
  };

  return (fd, iovs, count, out) => {
    const n = serve(fd, iovs >>> 0, count >>> 0, out >>> 0);
    if (n === undefined) return remote(fd, iovs, count, out);
    memory.view.setUint32(out >>> 0, n, true);
    return SUCCESS;
  };
}
