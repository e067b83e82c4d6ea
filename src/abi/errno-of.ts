import { GuestError } from './guest-error.js';
import { WasiError } from './wasi-error.js';

export { WasiError, type ErrnoName } from './wasi-error.js';

/** Anything that must unwind through the import shims unchanged (e.g. `proc_exit`). */
export class Unwind extends Error {}

/**
 * Control flow that unwinds through the shims unchanged and is not an error (a parked call's
 * `Blocked`): not an `Error`, so throwing one captures no stack.
 */
export abstract class ControlFlow {}

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

/** Errno names that a later version spells differently. */
const RENAMED: Record<string, string> = { acces: 'access', access: 'acces' };

/**
 * The one place a failure becomes an errno, numbered by the calling version's `errnos` table: WASI
 * and filesystem errors and bad guest input do; anything else is rethrown.
 */
export function errnoOf(err: unknown, syscall: string, errnos: Readonly<Record<string, number | bigint>>): number {
  let name: string | undefined;
  if (err instanceof WasiError) name = err.errno;
  else if (err instanceof GuestError) name = err.errnoName;
  if (name !== undefined) {
    const n = errnos[name] ?? errnos[RENAMED[name] ?? ''];
    if (n !== undefined) return Number(n);
    throw new WasiHostError(syscall, new Error(`errno "${name}" does not exist in this WASI version`));
  }
  if (err instanceof Unwind || err instanceof ControlFlow || err instanceof WasiHostError) throw err;
  throw new WasiHostError(syscall, err);
}

/**
 * For calls that return no errno (`proc_exit`): bad guest input cannot be answered, so it traps, as
 * an invalid argument does in wasmtime; anything else is handled as in `errnoOf`.
 */
export function trapOf(err: unknown, syscall: string): Error {
  if (err instanceof WasiError || err instanceof GuestError) {
    return new WebAssembly.RuntimeError(`${syscall}: ${err.message}`);
  }
  if (err instanceof Unwind || err instanceof WasiHostError) return err;
  if (err instanceof ControlFlow) throw err;
  return new WasiHostError(syscall, err);
}
