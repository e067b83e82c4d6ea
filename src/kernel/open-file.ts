import type { DirEntry, FileSystem, Handle } from '../fs/types.js';
import type { Epoll } from './epoll.js';
import { connectionReadiness, connectionWriteReadiness } from '../sockets/entries.js';
import type { GuestSocket } from '../sockets/types.js';
import type { NetSocketState } from '../sockets/wasix-socket.js';
import type { InputSource, OutputSink, Readiness, Waiter } from '../stdio.js';

// Open file descriptions (Linux's `struct file`): what an fd refers to. dup, fork and spawn make more
// fds referring to one description, which shares its flags and position among them and is closed
// with the last fd (kernel/fd-table.ts counts them).

interface OpenFileBase {
  /** preview1 `filetype` value. */
  readonly filetype: number;
  /** preview1 `fdflags` bits: they belong to the open file, so every fd referring to it shares them (POSIX). */
  fdflags: number;
  /** How many fds refer to this description (kept by the fd tables). */
  refs?: number;
}

/** A file or directory of a filesystem. */
export interface FsFile extends OpenFileBase {
  readonly kind: 'fs';
  readonly fs: FileSystem;
  readonly handle: Handle;
  readonly isDir: boolean;
  /** The listing `fd_readdir` pages through, kept between calls so cookies stay stable. */
  listing: DirEntry[] | undefined;
}

interface StreamBase extends OpenFileBase {
  readonly source: InputSource | undefined;
  readonly sink: OutputSink | undefined;
  /** Called when the last fd referring to this stream is closed (a pipe end, an event fd). */
  readonly onClose?: () => void;
}

/** The guest's stdin, stdout or stderr: a host fd, bytes, or callbacks. */
export interface StdioFile extends StreamBase {
  readonly kind: 'stdio';
}

/** One end of a pipe in memory (WASIX `fd_pipe`). */
export interface PipeFile extends StreamBase {
  readonly kind: 'pipe';
  /** Its place in the kernel's pipe arena and which end it is: a worker may read and write it itself (fast-fds.ts). */
  readonly fast?: { readonly slot: number; readonly end: 0 | 1 };
}

/** An event counter (WASIX `fd_event`, Linux's eventfd). */
export interface EventFile extends StreamBase {
  readonly kind: 'event';
}

/** An epoll instance (WASIX `epoll_create`): readable while one of its fds has an event. */
export interface EpollFile extends StreamBase {
  readonly kind: 'epoll';
  readonly epoll: Epoll;
}

/** A socket: a preopened listener, a connection accepted from one, one end of a socket pair, or a WASIX socket. */
export interface SocketFile extends StreamBase {
  readonly kind: 'socket';
  /** What the sock_* calls and poll_oneoff act on; a WASIX socket moves on from `pending` by listen or connect. */
  socket: GuestSocket;
  /** A socket the guest opened with WASIX sock_open: its family, type, addresses and options. */
  readonly net?: NetSocketState;
}

/** Every open file that is not a file or directory: it is read through its source and written through its sink. */
export type StreamFile = StdioFile | PipeFile | EventFile | EpollFile | SocketFile;

export type OpenFile = FsFile | StreamFile;

/** Closes what the description holds (a file handle, a socket, a pipe end); called with its last fd. */
export function closeOpenFile(e: OpenFile): void {
  if (e.kind === 'fs') {
    e.fs.close(e.handle);
    return;
  }
  e.onClose?.();
  if (e.kind !== 'socket') return;
  if (e.socket.kind === 'listener') e.socket.listener.close();
  else if (e.socket.kind === 'connection') e.socket.conn.close();
  else if (e.socket.kind === 'datagram') e.socket.dgram.close();
  else e.socket.pending.op?.cancel();
}

/**
 * An open file's readiness for reading (or writing) now: ready (with readiness), or not yet (with what
 * to wait on). The one answer poll_oneoff and WASIX's epoll both give.
 */
export function readinessOf(e: OpenFile, read: boolean): { ready: Readiness } | { waiter: Waiter } {
  if (e.kind === 'fs') {
    if (!read || e.isDir) return { ready: { nbytes: 0n, hangup: false } };
    // A file is always ready; nbytes is what lies between the position and the end.
    const size = e.fs.fstat(e.handle).size;
    const pos = e.fs.seek(e.handle, 0n, 'cur');
    return { ready: { nbytes: size > pos ? size - pos : 0n, hangup: false } };
  }
  const sock = e.kind === 'socket' ? e.socket : undefined;
  if (sock?.kind === 'listener') {
    // A listener is "readable" when a connection waits; it is never writable (Linux sets no POLLOUT).
    if (!read) return { ready: { nbytes: 0n, hangup: false, error: 'inval' } };
    const n = sock.listener.pending();
    return n > 0 ? { ready: { nbytes: BigInt(n), hangup: false } } : { waiter: sock.listener.waiter };
  }
  if (sock?.kind === 'connection') {
    if (!read) {
      // Writable while the send buffer has room (Linux: POLLOUT), in error once the stream failed.
      const w = connectionWriteReadiness(sock.conn);
      return w ? { ready: w } : { waiter: sock.conn.waiter };
    }
    const r = connectionReadiness(sock.conn);
    return r ? { ready: r } : { waiter: sock.conn.waiter };
  }
  if (sock?.kind === 'datagram') {
    const s = sock.dgram.state();
    if (!read || s.error !== undefined) return { ready: { nbytes: 0n, hangup: false, error: s.error } };
    return s.next !== undefined ? { ready: { nbytes: BigInt(s.next), hangup: false } } : { waiter: sock.dgram.waiter };
  }
  if (sock?.kind === 'pending') {
    // A connect under way is neither readable nor writable until it ends (Linux: POLLOUT once connected,
    // POLLERR when it failed); a socket neither connecting nor connected polls as hung up, as on Linux.
    const op = sock.pending.op;
    if (op && !sock.pending.failed && !op.poll() && e.kind === 'socket' && e.net) return { waiter: e.net.waiter };
    return { ready: { nbytes: 0n, hangup: true, error: sock.pending.failed } };
  }
  if (read && e.source?.readiness) {
    const r = e.source.readiness();
    if (r) return { ready: r };
    if (e.source.waiter) return { waiter: e.source.waiter };
  }
  if (!read && e.sink?.writeReadiness) {
    const r = e.sink.writeReadiness();
    if (r) return { ready: r };
    if (e.source?.waiter) return { waiter: e.source.waiter };
  }
  // Synchronous stdio (bytes, callbacks, host fds) answers at once.
  return { ready: { nbytes: 0n, hangup: false } };
}
