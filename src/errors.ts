import { Unwind } from './abi/errno-of.js';

import { WasiError } from './abi/wasi-error.js';

export { WasiError, WasiHostError } from './abi/errno-of.js';
export type { ErrnoName } from './abi/wasi-error.js';

/**
 * The same class as {@link WasiError}: handlers and filesystems throw one error type. Kept under this
 * name for filesystems written against earlier releases.
 * @deprecated Use `WasiError`.
 */
export const FsError = WasiError;
/** @deprecated Use `WasiError`. */
export type FsError = WasiError;

/** The guest called `proc_exit` (or was ended by `proc_raise`); unwinds to `start()`. */
export class ProcExit extends Unwind {
  constructor(readonly exitCode: number) {
    super(`guest exited with code ${exitCode}`);
    this.name = 'ProcExit';
  }
}

/** A bad option or argument to the public API; `code` follows Node's (`ERR_INVALID_ARG_TYPE`, ...). */
export class WasiOptionError extends TypeError {
  constructor(
    readonly code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE',
    /** The option or argument at fault, e.g. `options.env` or `instance.exports._start`. */
    readonly option: string,
    message: string,
  ) {
    super(message);
    this.name = 'WasiOptionError';
  }
}

/** The API was used in the wrong order, e.g. `start()` twice (`ERR_WASI_ALREADY_STARTED`). */
export class WasiStateError extends Error {
  constructor(
    readonly code: 'ERR_WASI_ALREADY_STARTED' | 'ERR_WASI_NO_SINGLE_MODULE' | 'ERR_WASI_NO_THREADS' | 'ERR_WASI_NO_ROOT',
    message: string,
  ) {
    super(message);
    this.name = 'WasiStateError';
  }
}
