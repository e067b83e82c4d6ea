/**
 * Errors thrown by every {@link FileSystem} call.
 *
 * Errno values are WASI preview1 names (as spelled in `typenames.witx`), never numbers: the
 * numbering belongs to the generated ABI layer, which maps names to codes per WASI version.
 */

/** Every preview1 `$errno` name except `success`, in WITX order. */
export const FS_ERRNOS = [
  '2big', 'acces', 'addrinuse', 'addrnotavail', 'afnosupport', 'again', 'already', 'badf',
  'badmsg', 'busy', 'canceled', 'child', 'connaborted', 'connrefused', 'connreset', 'deadlk',
  'destaddrreq', 'dom', 'dquot', 'exist', 'fault', 'fbig', 'hostunreach', 'idrm', 'ilseq',
  'inprogress', 'intr', 'inval', 'io', 'isconn', 'isdir', 'loop', 'mfile', 'mlink', 'msgsize',
  'multihop', 'nametoolong', 'netdown', 'netreset', 'netunreach', 'nfile', 'nobufs', 'nodev',
  'noent', 'noexec', 'nolck', 'nolink', 'nomem', 'nomsg', 'noprotoopt', 'nospc', 'nosys',
  'notconn', 'notdir', 'notempty', 'notrecoverable', 'notsock', 'notsup', 'notty', 'nxio',
  'overflow', 'ownerdead', 'perm', 'pipe', 'proto', 'protonosupport', 'prototype', 'range',
  'rofs', 'spipe', 'srch', 'stale', 'timedout', 'txtbsy', 'xdev', 'notcapable',
] as const;

/** A WASI preview1 errno name; `success` is absent because a success is not thrown. */
export type FsErrno = (typeof FS_ERRNOS)[number];

/** The one error type a {@link FileSystem} throws on purpose; anything else is a host bug. */
export class FsError extends Error {
  override readonly name = 'FsError';

  constructor(
    readonly errno: FsErrno,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message === undefined ? errno : `${errno}: ${message}`, options);
  }
}
