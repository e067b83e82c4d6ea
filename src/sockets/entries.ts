import { callStartMs, waitOn } from '../kernel/blocking.js';
import { Fdflags, Filetype } from '../../generated/preview1/types.js';
import { WasiError } from '../abi/errno-of.js';
import type { NewFd } from '../kernel/fd-table.js';
import type { SocketFile } from '../kernel/open-file.js';
import { R } from '../rights.js';
import type { InputSource, OutputSink, Readiness } from '../stdio.js';
import type { SocketConnection, SocketListener } from './types.js';

// fdstat_set_flags is kept so the guest can turn `nonblock` on and off (fcntl O_NONBLOCK).
export const LISTENER_RIGHTS = (R.sock_accept | R.poll_fd_readwrite | R.fd_fdstat_set_flags | R.fd_filestat_get) >>> 0;
export const CONNECTION_RIGHTS = (R.fd_read | R.fd_write | R.poll_fd_readwrite | R.sock_shutdown | R.fd_fdstat_set_flags | R.fd_filestat_get) >>> 0;

/**
 * Waits until `conn` holds at least `want` bytes, has ended or has failed: `again` at once when
 * `nonblocking` and nothing is there, or once `timeoutMs` (SO_RCVTIMEO) has passed with nothing there.
 * Blocks on the connection's waiter, never spinning.
 */
export function awaitReadable(conn: SocketConnection, want: number, nonblocking: boolean, timeoutMs = Infinity): void {
  const deadline = callStartMs() + timeoutMs;
  for (;;) {
    const s = conn.state();
    if (s.buffered >= want || s.ended || s.error !== undefined) return;
    if (nonblocking && s.buffered === 0) throw WasiError.quiet('again');
    if (nonblocking) return;
    const left = deadline - performance.now();
    // Like Linux: a timed-out recv returns what has come, or EAGAIN when nothing has.
    if (left <= 0) {
      if (s.buffered === 0) throw WasiError.quiet('again');
      return;
    }
    waitOn(conn.waiter, left);
  }
}

/**
 * Sends `bytes` once the connection has room for them (its send buffer not full, as SO_SNDBUF bounds
 * a Linux socket): `again` at once when `nonblocking` and it is full, or once `timeoutMs` (SO_SNDTIMEO)
 * has passed. A send that finds room queues all of its bytes, so the buffer may go over by one send.
 */
export function sendOn(conn: SocketConnection, bytes: Uint8Array, nonblocking: boolean, timeoutMs = Infinity): void {
  const deadline = callStartMs() + timeoutMs;
  while ((conn.sendRoom?.() ?? 1) <= 0 && conn.state().error === undefined) {
    if (nonblocking) throw WasiError.quiet('again');
    const left = deadline - performance.now();
    if (left <= 0) throw WasiError.quiet('again');
    waitOn(conn.waiter, left);
  }
  conn.send(bytes);
}

/** Readiness of a connection for writing, as poll_oneoff reports it; undefined while a send would wait. */
export function connectionWriteReadiness(conn: SocketConnection): Readiness | undefined {
  const s = conn.state();
  if (s.error !== undefined) return { nbytes: 0n, hangup: true, error: s.error };
  if ((conn.sendRoom?.() ?? 1) <= 0) return undefined;
  return { nbytes: 0n, hangup: false };
}

/** Readiness of a connection for reading, as poll_oneoff reports it; undefined while a read would block. */
export function connectionReadiness(conn: SocketConnection): Readiness | undefined {
  const s = conn.state();
  if (s.buffered > 0) return { nbytes: BigInt(s.buffered), hangup: false };
  if (s.error !== undefined) return { nbytes: 0n, hangup: true, error: s.error };
  if (s.ended) return { nbytes: 0n, hangup: true };
  return undefined;
}

/** fd_read on a connection is recv without flags: blocks for the first byte, then takes what is there. */
export function connectionSource(conn: SocketConnection, nonblocking: () => boolean = () => false): InputSource {
  return {
    read(into) {
      awaitReadable(conn, 1, nonblocking());
      const s = conn.state();
      if (s.buffered === 0 && s.error !== undefined) throw new WasiError(s.error);
      const bytes = conn.take(into.length, true);
      into.set(bytes);
      return bytes.length;
    },
    readiness: () => connectionReadiness(conn),
    waiter: conn.waiter,
  };
}

export function listenerEntry(listener: SocketListener): NewFd {
  return {
    file: { kind: 'socket', source: undefined, sink: undefined, socket: { kind: 'listener', listener }, filetype: Filetype.socket_stream, fdflags: 0 },
    rightsBase: LISTENER_RIGHTS,
    rightsInheriting: CONNECTION_RIGHTS,
  };
}

/** The fd of an accepted connection; fd_read and fd_write on it are recv and send. */
export function connectionEntry(conn: SocketConnection, fdflags: number): NewFd {
  const sink: OutputSink = { write: (bytes) => sendOn(conn, bytes, (file.fdflags & Fdflags.nonblock) !== 0) };
  const file: SocketFile = {
    kind: 'socket',
    source: connectionSource(conn, () => (file.fdflags & Fdflags.nonblock) !== 0),
    sink,
    socket: { kind: 'connection', conn },
    filetype: Filetype.socket_stream,
    fdflags,
  };
  return { file, rightsBase: CONNECTION_RIGHTS, rightsInheriting: 0 };
}
