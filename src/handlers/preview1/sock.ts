import { waitOn } from '../../kernel/blocking.js';
import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import { Fdflags, Riflags, Sdflags } from '../../../generated/preview1/types.js';
import { SockOption } from '../../../generated/wasix/types.js';
import { WasiError } from '../../abi/errno-of.js';
import type { SocketFile } from '../../kernel/open-file.js';
import { WASM32, type GuestAbi } from '../../abi/guest-abi.js';
import type { Process } from '../../kernel/process.js';
import { R } from '../../rights.js';
import { awaitReadable, connectionEntry, sendOn } from '../../sockets/entries.js';
import type { SocketConnection, SocketListener } from '../../sockets/types.js';

type H = Pick<WasiSnapshotPreview1, 'sock_accept' | 'sock_recv' | 'sock_send' | 'sock_shutdown'>;

/** sock_* on the sockets the host preopened (`options.preopenSockets`) and the connections accepted from them. */
export function sockHandlers(k: Process, abi: GuestAbi = WASM32): H {
  const { fds, memory: m } = k;

  // Errors in Linux's order: unknown fd, not a socket, the wrong kind of socket, then rights.
  const socketOf = (fd: number): SocketFile => {
    const e = fds.get(fd, 0);
    if (e.kind !== 'socket') throw new WasiError('notsock');
    return e;
  };
  const listener = (fd: number): [SocketFile, SocketListener] => {
    const e = socketOf(fd);
    // accept on a connected socket is EINVAL on Linux.
    if (e.socket.kind !== 'listener') throw new WasiError('inval', 'sock_accept on a connection');
    fds.get(fd, R.sock_accept);
    return [e, e.socket.listener];
  };
  const connection = (fd: number, rights: number): [SocketFile, SocketConnection] => {
    const e = socketOf(fd);
    if (e.socket.kind !== 'connection') throw new WasiError('notconn', 'a listening socket has no peer');
    fds.get(fd, rights);
    return [e, e.socket.conn];
  };
  const nonblocking = (e: SocketFile) => (e.fdflags & Fdflags.nonblock) !== 0;

  /** The guest buffers of an iovec list, checked before anything moves. */
  const buffers = (iovs: number, count: number, layout: GuestAbi['iovec']): Uint8Array[] => {
    const spans: [number, number][] = [];
    for (let i = 0; i < count; i++) {
      const at = iovs + i * layout.SIZE;
      const ptr = abi.readPointer(m.view, at + layout.buf);
      const len = abi.readUsize(m.view, at + layout.buf_len);
      m.check(ptr, len);
      spans.push([ptr, len]);
    }
    return spans.map(([ptr, len]) => m.u8.subarray(ptr, ptr + len));
  };

  return {
    sock_accept(fd, flags) {
      const [e, l] = listener(fd);
      if ((flags & ~Fdflags.nonblock) !== 0) throw new WasiError('inval', 'sock_accept takes only the nonblock flag');
      let conn = l.accept();
      while (!conn) {
        if (nonblocking(e)) throw WasiError.quiet('again');
        waitOn(l.waiter, Infinity);
        conn = l.accept();
      }
      try {
        return fds.insert(connectionEntry(conn, flags & Fdflags.nonblock));
      } catch (err) {
        conn.close();
        throw err;
      }
    },
    sock_recv(fd, riData, riDataLen, riFlags) {
      const [e, conn] = connection(fd, R.fd_read);
      const into = buffers(riData, riDataLen, abi.iovec);
      const total = into.reduce((n, b) => n + b.length, 0);
      if (total === 0) return [0, 0];
      const waitall = (riFlags & Riflags.recv_waitall) !== 0;
      // A WASIX socket's recv_timeout (sock_set_opt_time) bounds the wait.
      awaitReadable(conn, waitall ? total : 1, nonblocking(e), e.net?.timeoutMs(SockOption.recv_timeout));
      const s = conn.state();
      if (s.buffered === 0 && s.error !== undefined) throw new WasiError(s.error);
      const bytes = conn.take(total, (riFlags & Riflags.recv_peek) === 0);
      let at = 0;
      for (const b of into) {
        if (at >= bytes.length) break;
        const part = bytes.subarray(at, at + b.length);
        b.set(part);
        at += part.length;
      }
      // A stream socket never truncates: what does not fit stays buffered for the next call.
      return [bytes.length, 0];
    },
    sock_send(fd, siData, siDataLen, _siFlags) {
      const [e, conn] = connection(fd, R.fd_write);
      const from = buffers(siData, siDataLen, abi.ciovec);
      const total = from.reduce((n, b) => n + b.length, 0);
      // send() copies what it keeps, so one buffer goes as the view it is.
      const bytes = from.length === 1 ? from[0]! : new Uint8Array(total);
      if (from.length > 1) {
        let at = 0;
        for (const b of from) {
          bytes.set(b, at);
          at += b.length;
        }
      }
      if (total > 0) sendOn(conn, bytes, nonblocking(e), e.net?.timeoutMs(SockOption.send_timeout));
      return total;
    },
    sock_shutdown(fd, how) {
      const [, conn] = connection(fd, R.sock_shutdown);
      if (how === 0) throw new WasiError('inval', 'sock_shutdown needs rd, wr or both');
      conn.shutdown({ read: (how & Sdflags.rd) !== 0, write: (how & Sdflags.wr) !== 0 });
    },
  };
}
