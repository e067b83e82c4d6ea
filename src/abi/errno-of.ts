import { GuestError } from './guest-error.js';

/** Thrown by handlers for an ordinary WASI failure; `errno` is the number in the guest's version. */
export class WasiError extends Error {
  constructor(
    readonly errno: number,
    message?: string,
  ) {
    super(message ?? `errno ${errno}`);
    this.name = 'WasiError';
  }
}

/** Anything that must unwind through the import shims unchanged (e.g. `proc_exit`). */
export class Unwind extends Error {}

/** A bug in a handler: surfaces to the host with the syscall's name, never as a made-up errno. */
export class WasiHostError extends Error {
  readonly code = 'ERR_WASI_HOST';
  constructor(
    readonly syscall: string,
    override readonly cause: unknown,
  ) {
    super(`wasi-kit: ${syscall} failed inside the host: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'WasiHostError';
  }
}

export interface GuestErrnos {
  readonly fault: number;
  readonly inval: number;
  readonly ilseq: number;
}

/** The one place a failure becomes an errno: WASI errors and bad guest input do; anything else rethrows. */
export function errnoOf(err: unknown, syscall: string, errnos: GuestErrnos): number {
  if (err instanceof WasiError) return err.errno;
  if (err instanceof GuestError) return errnos[err.errnoName];
  if (err instanceof Unwind || err instanceof WasiHostError) throw err;
  throw new WasiHostError(syscall, err);
}
