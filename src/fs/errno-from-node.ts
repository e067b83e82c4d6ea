/**
 * Host error codes (`error.code` from `node:fs`, memfs or a socket) to WASI errno names: the single table
 * in the manner of uvwasi's `uv_mapping.c`. A code that is not here is not a guest-visible
 * condition but a host bug, so it is rethrown untouched instead of being dressed up as an errno.
 */

import { WasiError, type ErrnoName } from '../abi/wasi-error.js';

const ERRNO_OF_CODE: Readonly<Record<string, ErrnoName>> = {
  E2BIG: '2big',
  EACCES: 'acces',
  EADDRINUSE: 'addrinuse',
  EADDRNOTAVAIL: 'addrnotavail',
  EAFNOSUPPORT: 'afnosupport',
  EAGAIN: 'again',
  EWOULDBLOCK: 'again',
  EALREADY: 'already',
  EBADF: 'badf',
  EBADMSG: 'badmsg',
  EBUSY: 'busy',
  ECANCELED: 'canceled',
  ECHILD: 'child',
  ECONNABORTED: 'connaborted',
  ECONNREFUSED: 'connrefused',
  ECONNRESET: 'connreset',
  EDEADLK: 'deadlk',
  EDESTADDRREQ: 'destaddrreq',
  EDOM: 'dom',
  EDQUOT: 'dquot',
  EEXIST: 'exist',
  EFAULT: 'fault',
  EFBIG: 'fbig',
  EHOSTUNREACH: 'hostunreach',
  EIDRM: 'idrm',
  EILSEQ: 'ilseq',
  EINPROGRESS: 'inprogress',
  EINTR: 'intr',
  EINVAL: 'inval',
  EIO: 'io',
  EISCONN: 'isconn',
  EISDIR: 'isdir',
  ELOOP: 'loop',
  EMFILE: 'mfile',
  EMLINK: 'mlink',
  EMSGSIZE: 'msgsize',
  EMULTIHOP: 'multihop',
  ENAMETOOLONG: 'nametoolong',
  ENETDOWN: 'netdown',
  ENETRESET: 'netreset',
  ENETUNREACH: 'netunreach',
  ENFILE: 'nfile',
  ENOBUFS: 'nobufs',
  ENODEV: 'nodev',
  ENOENT: 'noent',
  ENOEXEC: 'noexec',
  ENOLCK: 'nolck',
  ENOLINK: 'nolink',
  ENOMEM: 'nomem',
  ENOMSG: 'nomsg',
  ENOPROTOOPT: 'noprotoopt',
  ENOSPC: 'nospc',
  ENOSYS: 'nosys',
  ENOTCONN: 'notconn',
  ENOTDIR: 'notdir',
  ENOTEMPTY: 'notempty',
  ENOTRECOVERABLE: 'notrecoverable',
  ENOTSOCK: 'notsock',
  ENOTSUP: 'notsup',
  EOPNOTSUPP: 'notsup',
  ENOTTY: 'notty',
  ENXIO: 'nxio',
  EOVERFLOW: 'overflow',
  EOWNERDEAD: 'ownerdead',
  EPERM: 'perm',
  EPIPE: 'pipe',
  EPROTO: 'proto',
  EPROTONOSUPPORT: 'protonosupport',
  EPROTOTYPE: 'prototype',
  ERANGE: 'range',
  EROFS: 'rofs',
  ESPIPE: 'spipe',
  ESRCH: 'srch',
  ESTALE: 'stale',
  ETIMEDOUT: 'timedout',
  ETXTBSY: 'txtbsy',
  EXDEV: 'xdev',
  // Node's own codes for a stream written after its end or destruction: the peer is gone.
  ERR_STREAM_WRITE_AFTER_END: 'pipe',
  ERR_STREAM_DESTROYED: 'pipe',
};

/** The errno for a host error code, or undefined when the code has no WASI meaning. */
export function errnoFromNodeCode(code: string): ErrnoName | undefined {
  return Object.hasOwn(ERRNO_OF_CODE, code) ? ERRNO_OF_CODE[code] : undefined;
}

/** Turns a host error into an {@link WasiError}, or rethrows it as it is when it has no errno. */
export function rethrowAsWasiError(error: unknown): never {
  if (error instanceof WasiError) throw error;
  const code = (error as { code?: unknown } | null)?.code;
  const errno = typeof code === 'string' ? errnoFromNodeCode(code) : undefined;
  if (errno === undefined) throw error;
  throw new WasiError(errno, (error as Error).message, { cause: error });
}

let hostCalls = 0;

/**
 * How many host calls have been made in this thread (through {@link hostCall}, or noted with
 * {@link noteHostCall}): a stat taken at one count still describes the file while the count holds.
 */
export const hostCallCount = (): number => hostCalls;

/** Counts a host call made without {@link hostCall} (the hot read and write paths). */
export function noteHostCall(): void {
  hostCalls++;
}

/** Runs a host call, translating its errors with {@link rethrowAsWasiError}. */
export function hostCall<T>(call: () => T): T {
  hostCalls++;
  try {
    return call();
  } catch (error) {
    rethrowAsWasiError(error);
  }
}
