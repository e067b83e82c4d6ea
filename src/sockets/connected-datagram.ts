import { WasiError } from '../abi/wasi-error.js';
import { normalizeIp } from './grants.js';
import type { DatagramSocket, HostAddr, SocketConnection } from './types.js';

// A datagram socket after connect(2) (Linux udp(7)): sends without an address go to the peer, and
// only the peer's datagrams are received; the others are dropped. As a connection, so that sock_send,
// sock_recv, fd_read, fd_write and poll serve it; each read takes one datagram (what does not fit is
// discarded), and a datagram of zero bytes reads as zero bytes, not as an end.

const same = (a: HostAddr, b: HostAddr) => a.port === b.port && (normalizeIp(a.host) ?? a.host) === (normalizeIp(b.host) ?? b.host);

/** `dgram` answering only `peer`: what sock_send_to/sock_recv_from see on a connected datagram socket. */
export function peerFiltered(dgram: DatagramSocket, peer: HostAddr): DatagramSocket {
  const next = () => {
    for (let d = dgram.receive(false); d && !same(d.from, peer); d = dgram.receive(false)) dgram.receive(true);
  };
  return {
    waiter: dgram.waiter,
    local: dgram.local,
    receive(consume) {
      next();
      return dgram.receive(consume);
    },
    state() {
      next();
      return dgram.state();
    },
    send: (bytes, to) => dgram.send(bytes, to),
    close: () => dgram.close(),
  };
}

/**
 * A datagram socket connected to `peer`, as a connection: `raw` is the socket itself (kept to connect
 * again elsewhere), `dgram` the same answering only the peer. shutdown(write) makes sends `pipe` and
 * shutdown(read) ends reading, as on Linux.
 */
export function datagramConnection(raw: DatagramSocket, peer: HostAddr): SocketConnection & { readonly raw: DatagramSocket; readonly dgram: DatagramSocket } {
  const dgram = peerFiltered(raw, peer);
  let readShut = false;
  let writeShut = false;
  return {
    raw,
    dgram,
    waiter: raw.waiter,
    local: raw.local,
    remote: peer,
    state() {
      const s = dgram.state();
      // A zero-byte datagram is readable: reported as one byte buffered, so a reader takes it (and gets 0).
      return { buffered: readShut || s.next === undefined ? 0 : Math.max(s.next, 1), ended: readShut, error: s.error };
    },
    take(n, consume) {
      const d = readShut ? undefined : dgram.receive(consume);
      return d ? d.bytes.subarray(0, n) : new Uint8Array(0);
    },
    send(bytes) {
      if (writeShut) throw new WasiError('pipe', 'this socket has shut down writing');
      if (bytes.length > 65507) throw new WasiError('msgsize', 'a UDP datagram holds at most 65507 bytes');
      dgram.send(bytes, peer);
    },
    shutdown(how) {
      readShut ||= how.read;
      writeShut ||= how.write;
    },
    close: () => raw.close(),
  };
}
