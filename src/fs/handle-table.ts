/** The open-handle table a backend keeps: lowest free number first, optional size limit. */

import { WasiError } from '../abi/wasi-error.js';
import type { Handle } from './types.js';

export class HandleTable<T> {
  readonly #entries: (T | undefined)[] = [];
  #count = 0;

  constructor(readonly max: number = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.#count;
  }

  /** Throws `nfile` when full; call before doing work that an open would have to undo. */
  checkRoom(): void {
    if (this.#count >= this.max) throw new WasiError('nfile', `limit of ${this.max} open handles`);
  }

  add(entry: T): Handle {
    this.checkRoom();
    let handle = this.#entries.indexOf(undefined);
    if (handle === -1) handle = this.#entries.length;
    this.#entries[handle] = entry;
    this.#count += 1;
    return handle;
  }

  get(handle: Handle): T {
    const entry = Number.isInteger(handle) ? this.#entries[handle] : undefined;
    if (entry === undefined) throw new WasiError('badf', `handle ${handle}`);
    return entry;
  }

  remove(handle: Handle): T {
    const entry = this.get(handle);
    this.#entries[handle] = undefined;
    this.#count -= 1;
    return entry;
  }

  values(): T[] {
    return this.#entries.filter((e): e is T => e !== undefined);
  }
}
