import { WasiError } from '../../abi/errno-of.js';
import type { Readiness } from '../../stdio.js';

/** The largest value an event counter holds (Linux eventfd: 2^64 - 2). */
export const EVENT_MAX = 0xffff_ffff_ffff_fffen;

/** The 8-byte counter behind `fd_event` (Linux eventfd semantics). */
export class EventCounter {
  constructor(
    private value: bigint,
    private readonly semaphore: boolean,
  ) {
    if (value > EVENT_MAX) throw new WasiError('inval', 'the initial value exceeds 2^64 - 2');
  }

  /** Writes the counter (u64 LE) into `into` and resets it, or 1 and decrements it as a semaphore; undefined while it is 0. */
  read(into: Uint8Array): number | undefined {
    if (into.length < 8) throw new WasiError('inval', 'an event fd is read 8 bytes at a time');
    if (this.value === 0n) return undefined;
    const n = this.semaphore ? 1n : this.value;
    this.value -= n;
    new DataView(into.buffer, into.byteOffset, 8).setBigUint64(0, n, true);
    return 8;
  }

  /** Adds the u64 LE in the first 8 bytes; false when the sum would pass EVENT_MAX (the write would wait). */
  add(bytes: Uint8Array): boolean {
    if (bytes.length < 8) throw new WasiError('inval', 'an event fd is written 8 bytes at a time');
    const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (n > EVENT_MAX) throw new WasiError('inval', 'cannot add 2^64 - 1 to an event counter');
    if (this.value + n > EVENT_MAX) return false;
    this.value += n;
    return true;
  }

  readiness(): Readiness | undefined {
    return this.value > 0n ? { nbytes: 8n, hangup: false } : undefined;
  }
}
