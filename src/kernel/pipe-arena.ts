import { ARENA_HEADER_BYTES, KERNEL_LOCK_ID, PIPE_BYTES, PipeBuffer, pipeInArena } from '../pipe-ring.js';

// Where the kernel keeps pipes that workers may use directly: one growable SharedArrayBuffer for the
// whole run, handed to every worker when it starts a process's thread (a buffer made later could not
// reach a worker already running its guest: it never returns to its event loop). Its first word is the
// bell a worker rings when the kernel waits on a pipe it changed; the kernel answers by running the
// parked calls of every process again. A pipe made when the arena is full, or on a host without
// growable shared memory, lives in a buffer of its own that only the kernel uses.

/** Pipes the arena holds at most (2 x 64 KiB each, reserved only as they are made). */
const MAX_PIPES = 256;

type Growable = SharedArrayBuffer & { grow(bytes: number): void; readonly growable: boolean };
type WaitAsync = (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** A pipe's place: its buffer, and the index workers know it by (undefined: not in the arena). */
export interface PipePlace {
  readonly buffer: PipeBuffer;
  readonly slot: number | undefined;
  /** Gives the place back once neither end is open (deferred while a worker still uses it). */
  free(): void;
}

/** A pipe buffer of its own, used by the kernel alone. */
export function privatePipe(): PipePlace {
  const ab = new ArrayBuffer(PIPE_BYTES);
  const buffer = new PipeBuffer(new Int32Array(ab), new Uint8Array(ab), 0, undefined, KERNEL_LOCK_ID);
  buffer.reset();
  return { buffer, slot: undefined, free() {} };
}

export class PipeArena {
  readonly buffer: SharedArrayBuffer;
  readonly #words: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #bell: Int32Array;
  #count = 0;
  readonly #free: number[] = [];
  /** Places given back while a worker still used them: reused once it has left. */
  readonly #draining = new Set<number>();
  readonly #listeners = new Set<() => void>();
  #listening = false;
  #nextLockId = KERNEL_LOCK_ID + 1;

  /** undefined when the host has no growable SharedArrayBuffer or no Atomics.waitAsync: pipes stay in the kernel. */
  static create(): PipeArena | undefined {
    if (typeof SharedArrayBuffer !== 'function' || !waitAsync) return undefined;
    let sab: Growable;
    try {
      sab = new (SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Growable)(ARENA_HEADER_BYTES, { maxByteLength: ARENA_HEADER_BYTES + MAX_PIPES * PIPE_BYTES });
    } catch {
      return undefined;
    }
    if (sab.growable !== true) return undefined;
    return new PipeArena(sab);
  }

  private constructor(sab: SharedArrayBuffer) {
    this.buffer = sab;
    // Length-tracking views: they see the arena as it grows.
    this.#words = new Int32Array(sab);
    this.#bytes = new Uint8Array(sab);
    this.#bell = this.#words;
  }

  /** A place for a new pipe: in the arena when there is room, else a private one. */
  allocate(): PipePlace {
    for (const s of this.#draining) {
      if (this.#at(s).users === 0) {
        this.#draining.delete(s);
        this.#free.push(s);
      }
    }
    let slot = this.#free.pop();
    if (slot === undefined) {
      if (this.#count >= MAX_PIPES) return privatePipe();
      slot = this.#count++;
      (this.buffer as Growable).grow(ARENA_HEADER_BYTES + this.#count * PIPE_BYTES);
    }
    const buffer = this.#at(slot);
    buffer.reset();
    const s = slot;
    let freed = false;
    return {
      buffer,
      slot,
      free: () => {
        if (freed) return;
        freed = true;
        if (buffer.users === 0) this.#free.push(s);
        else this.#draining.add(s);
      },
    };
  }

  /** An id for a worker to hold pipe locks with, unique in the run. */
  nextLockId(): number {
    return this.#nextLockId++;
  }

  /**
   * A worker was stopped, wherever it was, perhaps inside a pipe's copy (`inside`: its words, the slot
   * + 1 of that pipe and the stop flag set before): the locks it held (`lockId`) are freed and its use of
   * the pipe ended, so that the pipe goes on and its place is reused once closed. The counters are
   * consistent: a copy moves them only once it is whole, and not at all once `stop` is set.
   */
  workerStopped(lockId: number, inside: Int32Array): void {
    for (let s = 0; s < this.#count; s++) this.#at(s).releaseLocks(lockId);
    const slot = Atomics.exchange(inside, 0, 0) - 1;
    if (slot >= 0 && slot < this.#count) this.#at(slot).leave();
  }

  /**
   * Calls `listener` whenever a worker changed a pipe the kernel waits on (a parked read or write, a
   * poll), until the returned function is called.
   */
  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (!this.#listening) void this.#loop();
    return () => {
      this.#listeners.delete(listener);
      // Wake the loop so that it sees it has no one left to tell.
      Atomics.add(this.#bell, 0, 1);
      Atomics.notify(this.#bell, 0);
    };
  }

  async #loop(): Promise<void> {
    this.#listening = true;
    try {
      while (this.#listeners.size > 0) {
        const seen = Atomics.load(this.#bell, 0);
        const r = waitAsync!(this.#bell, 0, seen);
        if (r.async) await r.value;
        for (const l of this.#listeners) l();
      }
    } finally {
      this.#listening = false;
    }
  }

  #at(slot: number): PipeBuffer {
    return pipeInArena(this.#words, this.#bytes, slot, KERNEL_LOCK_ID);
  }
}
