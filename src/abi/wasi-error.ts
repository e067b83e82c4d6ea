/**
 * The one error type for an ordinary WASI failure, thrown by handlers, the kernel and every
 * {@link FileSystem} alike, by errno name (`'badf'`): the numbering belongs to each version's shims,
 * which map the name through the one `errnoOf`.
 */
import { ErrnoNames } from '../../generated/preview1/types.js';

/** Every preview1 `$errno` name but `success`, in WITX order: a success is not thrown. */
export const ERRNO_NAMES = ErrnoNames.filter((n): n is Exclude<typeof n, 'success'> => n !== 'success');

/** A preview1 errno name other than `success`; later versions only rename or append. */
export type ErrnoName = (typeof ERRNO_NAMES)[number];

const quiet = new Map<ErrnoName, WasiError>();

export class WasiError extends Error {
  constructor(
    readonly errno: ErrnoName,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message === undefined ? errno : `${errno}: ${message}`, options);
    this.name = 'WasiError';
  }

  /**
   * A shared instance for an errno thrown as control flow on a hot path (`again` from a nonblocking
   * read): made once, so no stack is captured per call (about 3 µs each). Never for a failure worth
   * a stack or a message.
   */
  static quiet(errno: ErrnoName): WasiError {
    let e = quiet.get(errno);
    if (e === undefined) quiet.set(errno, (e = new WasiError(errno)));
    return e;
  }
}
