// What a process's workers may do without asking the kernel: which of its fds are pipe ends in the
// kernel's arena (kernel/pipe-arena.ts), with the rights the fd has, and whether the kernel needs to see
// every call (a signal pending or a timer armed, whose delivery happens inside a syscall; a vfork's
// child running on one of the threads, with an fd table of its own). The kernel writes it as the fd
// table and the signals change (it owns both); the workers only read it (threads/fast-pipes.ts).

/** fds below this may be served in a worker; a higher one always goes to the kernel. */
export const FAST_FDS = 1024;
/** Word 0: nonzero while signals need the kernel's attention; word 1: vfork children running on the process's threads. */
export const SIGNALS_WORD = 0;
export const VFORK_WORD = 1;
const FIRST_FD_WORD = 2;
export const FAST_FDS_BYTES = (FIRST_FD_WORD + FAST_FDS) * 4;

/** In an fd's word: it may write, it may read, which end of its pipe it is; its pipe's arena slot + 1 above. */
const MAY_WRITE = 1;
const MAY_READ = 2;
const END_1 = 4;
const SLOT_SHIFT = 3;

/** What an fd's word says: nothing (0), or its pipe, end and rights. */
export interface FastFd {
  readonly slot: number;
  readonly end: 0 | 1;
  readonly mayRead: boolean;
  readonly mayWrite: boolean;
}

export function encodeFastFd(f: FastFd): number {
  return ((f.slot + 1) << SLOT_SHIFT) | (f.end ? END_1 : 0) | (f.mayRead ? MAY_READ : 0) | (f.mayWrite ? MAY_WRITE : 0);
}

/** The word of `fd` (0 for none, or an fd out of range). */
export function fastFdWord(words: Int32Array, fd: number): number {
  return fd >= 0 && fd < FAST_FDS ? Atomics.load(words, FIRST_FD_WORD + fd) : 0;
}

export const wordSlot = (word: number): number => (word >>> SLOT_SHIFT) - 1;
export const wordEnd = (word: number): 0 | 1 => (word & END_1 ? 1 : 0);
export const wordMayRead = (word: number): boolean => (word & MAY_READ) !== 0;
export const wordMayWrite = (word: number): boolean => (word & MAY_WRITE) !== 0;

/** The kernel's side: one process's map. */
export class FastFds {
  readonly buffer = new SharedArrayBuffer(FAST_FDS_BYTES);
  readonly #words = new Int32Array(this.buffer);

  set(fd: number, f: FastFd | undefined): void {
    if (fd < 0 || fd >= FAST_FDS) return;
    Atomics.store(this.#words, FIRST_FD_WORD + fd, f ? encodeFastFd(f) : 0);
  }

  clear(): void {
    for (let fd = 0; fd < FAST_FDS; fd++) Atomics.store(this.#words, FIRST_FD_WORD + fd, 0);
  }

  /** Signals need the kernel (true) or not. */
  signals(attention: boolean): void {
    Atomics.store(this.#words, SIGNALS_WORD, attention ? 1 : 0);
  }

  /** A vfork's child starts (+1) or stops (-1) running on one of the process's threads. */
  vfork(delta: 1 | -1): void {
    Atomics.add(this.#words, VFORK_WORD, delta);
  }
}
