import { WasiError } from '../../abi/errno-of.js';

// Thread-local values of the 2023 WASIX ABI (`thread_local_create`, `_destroy`, `_set`, `_get`): u64 values
// per thread under keys shared by the whole process, each key with a u64 of user data that the guest's
// export `_thread_local_destroy(user_lo, user_hi, value_lo, value_hi)` receives, with the value, when a
// thread that set it ends (as Wasmer: lib/wasix/src/syscalls/wasix/thread_local_*.rs). The keys live in
// a buffer every thread sees (a SharedArrayBuffer, made once per process and handed to each worker), so
// a thread answers all four calls itself, as it answers futexes: its values are its own anyway.
// Deleting a key calls no destructor (as POSIX's pthread_key_delete; Wasmer calls them).

/** Keys a process may hold at once (glibc's PTHREAD_KEYS_MAX); past it, `again`, as pthread_key_create. */
export const MAX_THREAD_LOCAL_KEYS = 1024;

/** The key table: per key a generation (odd while the key exists) and its user data. */
export class ThreadLocalKeys {
  readonly buffer: ArrayBufferLike;
  readonly #generations: Int32Array;
  readonly #userData: BigUint64Array;

  /** Over `buffer` when given (a worker's view of the process's table), else a new one. */
  constructor(buffer?: ArrayBufferLike) {
    const bytes = MAX_THREAD_LOCAL_KEYS * 12;
    this.buffer = buffer ?? (typeof SharedArrayBuffer !== 'undefined' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    this.#userData = new BigUint64Array(this.buffer, 0, MAX_THREAD_LOCAL_KEYS);
    this.#generations = new Int32Array(this.buffer, MAX_THREAD_LOCAL_KEYS * 8, MAX_THREAD_LOCAL_KEYS);
  }

  /** A new key (from 1) holding `userData`. */
  create(userData: bigint): number {
    const g = this.#generations;
    for (let i = 0; i < MAX_THREAD_LOCAL_KEYS; i++) {
      const gen = Atomics.load(g, i);
      // Claimed by whichever thread turns the generation odd first.
      if ((gen & 1) === 0 && Atomics.compareExchange(g, i, gen, gen + 1) === gen) {
        this.#userData[i] = userData;
        return i + 1;
      }
    }
    throw new WasiError('again', `no more than ${MAX_THREAD_LOCAL_KEYS} thread-local keys`);
  }

  destroy(key: number): void {
    const gen = this.generation(key);
    if (Atomics.compareExchange(this.#generations, key - 1, gen, gen + 1) !== gen) throw new WasiError('inval', `thread-local key ${key} was deleted meanwhile`);
  }

  /** The current generation of a key that exists; `inval` for any other. */
  generation(key: number): number {
    const gen = key >= 1 && key <= MAX_THREAD_LOCAL_KEYS ? Atomics.load(this.#generations, key - 1) : 0;
    if ((gen & 1) === 0) throw new WasiError('inval', `no thread-local key ${key}`);
    return gen;
  }

  userData(key: number): bigint {
    return this.#userData[key - 1]!;
  }
}

/** One thread's values; a value set under a key that has since been deleted (and maybe reused) is gone. */
export class ThreadLocalValues {
  readonly #values = new Map<number, { gen: number; value: bigint }>();

  constructor(readonly keys: ThreadLocalKeys) {}

  set(key: number, value: bigint): void {
    this.#values.set(key, { gen: this.keys.generation(key), value });
  }

  get(key: number): bigint {
    const gen = this.keys.generation(key);
    const v = this.#values.get(key);
    return v !== undefined && v.gen === gen ? v.value : 0n;
  }

  /**
   * At the thread's end: calls `destroy(userData, value)` for every value not 0 under a key that still
   * exists (POSIX calls destructors for non-NULL values only), then forgets them.
   */
  end(destroy: (userData: bigint, value: bigint) => void): void {
    const values = [...this.#values];
    this.#values.clear();
    for (const [key, v] of values) {
      let gen: number;
      try {
        gen = this.keys.generation(key);
      } catch {
        continue;
      }
      if (gen === v.gen && v.value !== 0n) destroy(this.keys.userData(key), v.value);
    }
  }
}
