// A pipe's bytes, in a buffer that the kernel and the workers of the processes holding its ends all
// use directly: one ring of PIPE_CAPACITY bytes per direction (WASIX's fd_pipe is bidirectional), with
// counters moved by Atomics. The kernel keeps ownership (it makes, numbers and closes ends, and decides
// every case but the plain one); a worker only moves bytes when that needs no decision (threads/
// fast-pipes.ts), so a pipe between two processes costs no round trip to the kernel per read or write.
// Linux's pipe (fs/pipe.c) is the model: 64 KiB, writes of at most PIPE_BUF bytes are atomic, a read
// takes what is there.

/** Linux's default pipe capacity (16 pages). A power of two: positions wrap with the 32-bit counters. */
export const PIPE_CAPACITY = 65536;
/** POSIX PIPE_BUF (Linux's 4096): a write of at most this many bytes is never interleaved with another. */
export const PIPE_BUF = 4096;

/** Int32 words of a pipe's header: the fast-path users, each end's fdflags, then a header per direction. */
const USERS = 0;
const FLAGS = 1; // + end
const DIRECTION = 4; // + 6 * direction
const HEAD = 0; // bytes written, ever (wrapping)
const TAIL = 1; // bytes read, ever (wrapping)
const WLOCK = 2; // the writers' lock: the id of its holder, 0 when free
const RLOCK = 3; // the readers' lock
const OPEN = 4; // WRITER | READER: which of its ends are open
const KWAIT = 5; // 1 while the kernel waits for a change (a parked call, a poll): the next change rings the bell
const WRITER = 1;
const READER = 2;
/** Bytes of a pipe's header; the two rings follow it. */
export const PIPE_HEADER_BYTES = 64;
/** Bytes of one pipe: its header and a ring per direction. */
export const PIPE_BYTES = PIPE_HEADER_BYTES + 2 * PIPE_CAPACITY;

/** What a read or write that moved nothing found: a wait would be needed, or the other side has closed. */
export const WOULD_WAIT = -1;
export const CLOSED = -2;

/** How many times the kernel's thread tries a taken lock before its call waits instead. */
const KERNEL_SPINS = 10000;

/** The lock id the kernel's thread holds locks with; each worker has its own above it (threads/fast-pipes.ts). */
export const KERNEL_LOCK_ID = 1;

/**
 * One pipe's header and rings in `words`/`bytes` (views of one buffer, shared or not) at byte offset
 * `at`. `bell`, when given, is the word rung (Atomics.add + notify) after a change the kernel asked to
 * hear of (kernel/pipe-arena.ts listens to it).
 */
export class PipeBuffer {
  readonly #w: Int32Array;
  readonly #u8: Uint8Array;
  readonly #base: number;
  readonly #data: number;
  readonly #bell: Int32Array | undefined;
  readonly #lockId: number;
  readonly #stop: Int32Array | undefined;

  /**
   * `stop`: for a worker, a word the kernel sets before it stops the worker: from then on the worker
   * moves no counter (a browser's Worker.terminate() lets the worker run on for a while).
   */
  constructor(words: Int32Array, bytes: Uint8Array, at: number, bell: Int32Array | undefined, lockId: number, stop?: Int32Array) {
    this.#w = words;
    this.#u8 = bytes;
    this.#base = at >> 2;
    this.#data = at + PIPE_HEADER_BYTES;
    this.#bell = bell;
    this.#lockId = lockId;
    this.#stop = stop;
  }

  /** A new pipe: both directions empty, every end open. */
  reset(): void {
    const b = this.#base;
    this.#w.fill(0, b, b + PIPE_HEADER_BYTES / 4);
    for (const d of [0, 1]) Atomics.store(this.#w, b + DIRECTION + 6 * d + OPEN, WRITER | READER);
  }

  /** End `end`'s fdflags (preview1 bits): kept here so that a worker sees `nonblock` as the kernel sets it. */
  flags(end: 0 | 1): number {
    return Atomics.load(this.#w, this.#base + FLAGS + end);
  }

  setFlags(end: 0 | 1, flags: number): void {
    Atomics.store(this.#w, this.#base + FLAGS + end, flags);
  }

  /** Marks a fast-path operation in flight (the kernel does not reuse the pipe's place until it ends). */
  enter(): void {
    Atomics.add(this.#w, this.#base + USERS, 1);
  }

  leave(): void {
    Atomics.sub(this.#w, this.#base + USERS, 1);
  }

  get users(): number {
    return Atomics.load(this.#w, this.#base + USERS);
  }

  // A copy is published (its counter moved, the other side woken) once it is whole: publishing it in
  // smaller steps, so that the other side could start sooner, woke it more often than it gained (measured).

  /**
   * Writes from `src[at, at + len)` into direction `d` what fits now: all of a write of at most PIPE_BUF
   * bytes or none of it, else as much as there is room for. The count, WOULD_WAIT (no room; for the
   * kernel, also a lock a worker holds too long), or CLOSED (no reader: EPIPE).
   */
  write(d: 0 | 1, src: Uint8Array, at: number, len: number): number {
    const h = this.#base + DIRECTION + 6 * d;
    const w = this.#w;
    if (!(Atomics.load(w, h + OPEN) & READER)) return CLOSED;
    if (!this.#lock(h + WLOCK)) return WOULD_WAIT;
    let done = 0;
    try {
      const need = len <= PIPE_BUF ? len : 1;
      const data = this.#data + d * PIPE_CAPACITY;
      let head = Atomics.load(w, h + HEAD);
      while (done < len) {
        const room = PIPE_CAPACITY - ((head - Atomics.load(w, h + TAIL)) | 0);
        if (room < (done === 0 ? need : 1)) break;
        const n = Math.min(room, len - done);
        const pos = head & (PIPE_CAPACITY - 1);
        const first = Math.min(n, PIPE_CAPACITY - pos);
        this.#u8.set(src.subarray(at + done, at + done + first), data + pos);
        if (first < n) this.#u8.set(src.subarray(at + done + first, at + done + n), data);
        if (this.#stopped()) break;
        head = (head + n) | 0;
        done += n;
        Atomics.store(w, h + HEAD, head);
        Atomics.notify(w, h + HEAD);
      }
    } finally {
      this.#unlock(h + WLOCK);
    }
    return done > 0 ? done : WOULD_WAIT;
  }

  /**
   * Reads from direction `d` into `dst[at, at + len)` what is there now (more arriving meanwhile
   * included). The count, 0 at the end (empty and no writer left), or WOULD_WAIT (empty).
   */
  read(d: 0 | 1, dst: Uint8Array, at: number, len: number): number {
    const h = this.#base + DIRECTION + 6 * d;
    const w = this.#w;
    if (!this.#lock(h + RLOCK)) return WOULD_WAIT;
    let done = 0;
    try {
      const data = this.#data + d * PIPE_CAPACITY;
      let tail = Atomics.load(w, h + TAIL);
      while (done < len) {
        const used = (Atomics.load(w, h + HEAD) - tail) | 0;
        if (used === 0) break;
        const n = Math.min(used, len - done);
        const pos = tail & (PIPE_CAPACITY - 1);
        const first = Math.min(n, PIPE_CAPACITY - pos);
        dst.set(this.#u8.subarray(data + pos, data + pos + first), at + done);
        if (first < n) dst.set(this.#u8.subarray(data, data + n - first), at + done + first);
        if (this.#stopped()) break;
        tail = (tail + n) | 0;
        done += n;
        Atomics.store(w, h + TAIL, tail);
        Atomics.notify(w, h + TAIL);
      }
    } finally {
      this.#unlock(h + RLOCK);
    }
    if (done > 0) return done;
    // Empty: the end once no writer is left (checked after the counters: a last write is not missed).
    return Atomics.load(w, h + OPEN) & WRITER ? WOULD_WAIT : 0;
  }

  /** Bytes waiting in direction `d`. */
  available(d: 0 | 1): number {
    const h = this.#base + DIRECTION + 6 * d;
    return (Atomics.load(this.#w, h + HEAD) - Atomics.load(this.#w, h + TAIL)) | 0;
  }

  /** Room in direction `d`. */
  room(d: 0 | 1): number {
    return PIPE_CAPACITY - this.available(d);
  }

  writerOpen(d: 0 | 1): boolean {
    return (Atomics.load(this.#w, this.#base + DIRECTION + 6 * d + OPEN) & WRITER) !== 0;
  }

  readerOpen(d: 0 | 1): boolean {
    return (Atomics.load(this.#w, this.#base + DIRECTION + 6 * d + OPEN) & READER) !== 0;
  }

  /** Closes direction `d`'s writing side (`writer`) or reading side, waking whoever waits on it. */
  close(d: 0 | 1, writer: boolean): void {
    const h = this.#base + DIRECTION + 6 * d;
    Atomics.and(this.#w, h + OPEN, writer ? ~WRITER : ~READER);
    Atomics.notify(this.#w, h + HEAD);
    Atomics.notify(this.#w, h + TAIL);
    this.#changed(h);
  }

  /** The kernel is about to wait for direction `d` to change: the next change (from any thread) rings the bell. */
  watch(d: 0 | 1): void {
    Atomics.store(this.#w, this.#base + DIRECTION + 6 * d + KWAIT, 1);
  }

  /**
   * For a worker about to wait: the index of the counter that moves when direction `d` changes for a
   * reader (`reading`: its head) or a writer (its tail), to Atomics.wait on.
   */
  counterIndex(d: 0 | 1, reading: boolean): number {
    return this.#base + DIRECTION + 6 * d + (reading ? HEAD : TAIL);
  }

  /** Frees every lock `lockId` holds (its worker was stopped, perhaps inside a copy: the counters are consistent). */
  releaseLocks(lockId: number): void {
    for (const d of [0, 1]) {
      for (const l of [WLOCK, RLOCK]) if (Atomics.compareExchange(this.#w, this.#base + DIRECTION + 6 * d + l, lockId, 0) === lockId) this.#changed(this.#base + DIRECTION + 6 * d);
    }
  }

  #changed(h: number): void {
    if (this.#bell && Atomics.load(this.#w, h + KWAIT) !== 0 && Atomics.exchange(this.#w, h + KWAIT, 0) !== 0) {
      Atomics.add(this.#bell, 0, 1);
      Atomics.notify(this.#bell, 0);
    }
  }

  // A lock held only while bytes are copied (microseconds), spun for. The kernel's thread (which may not
  // block in a browser, and must not hang on a worker stopped inside a copy) gives up after a while:
  // its call then waits as for an empty or full pipe, and is run again when the holder lets go.
  #lock(i: number): boolean {
    const w = this.#w;
    const id = this.#lockId;
    if (id === KERNEL_LOCK_ID) {
      for (let n = 0; n < KERNEL_SPINS; n++) if (Atomics.compareExchange(w, i, 0, id) === 0) return true;
      this.#watchLock(i);
      return Atomics.compareExchange(w, i, 0, id) === 0;
    }
    while (Atomics.compareExchange(w, i, 0, id) !== 0);
    return true;
  }

  #watchLock(i: number): void {
    // The lock's direction: the one whose header holds word i.
    const d = i - this.#base - DIRECTION >= 6 ? 1 : 0;
    this.watch(d);
  }

  #stopped(): boolean {
    return this.#stop !== undefined && Atomics.load(this.#stop, 0) !== 0;
  }

  #unlock(i: number): void {
    Atomics.store(this.#w, i, 0);
    // The kernel gave up on this lock and waits to hear of it (watch): tell it.
    this.#changed(i - ((i - this.#base - DIRECTION) % 6));
  }
}

/** Bytes before the first pipe of an arena (kernel/pipe-arena.ts): its first word is the bell. */
export const ARENA_HEADER_BYTES = 64;

/** Pipe `slot` of an arena whose views are `words` and `bytes`, locked as `lockId`; the arena's bell is its first word. */
export function pipeInArena(words: Int32Array, bytes: Uint8Array, slot: number, lockId: number, stop?: Int32Array): PipeBuffer {
  return new PipeBuffer(words, bytes, ARENA_HEADER_BYTES + slot * PIPE_BYTES, words, lockId, stop);
}
