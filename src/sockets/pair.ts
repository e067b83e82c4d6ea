import { WasiError } from '../abi/errno-of.js';
import { ByteQueue } from '../pipe.js';
import type { Waiter } from '../stdio.js';
import type { SocketConnection } from './types.js';

/**
 * Two connected stream sockets in memory (WASIX `sock_pair`, socketpair(2)): each end receives what
 * the other sent. Unbounded, so a send never waits. Shutting down writing (or closing) ends the peer's
 * stream after what was sent; sending once the peer has stopped reading is `pipe`. `waiter` is what a
 * read waits on: only the guest itself can fill these sockets.
 */
export function createSocketPair(waiter: Waiter): [SocketConnection, SocketConnection] {
  const ab = new ByteQueue();
  const ba = new ByteQueue();
  return [pairEnd(ba, ab, waiter), pairEnd(ab, ba, waiter)];
}

function pairEnd(inbound: ByteQueue, outbound: ByteQueue, waiter: Waiter): SocketConnection {
  return {
    waiter,
    state: () => ({ buffered: inbound.size, ended: !inbound.writerOpen || !inbound.readerOpen, error: undefined }),
    take(n, consume) {
      const into = new Uint8Array(Math.min(n, inbound.size));
      inbound.take(into, consume);
      return into;
    },
    send(bytes) {
      if (!outbound.writerOpen) throw new WasiError('pipe', 'this socket has shut down writing');
      if (!outbound.readerOpen) throw new WasiError('pipe', 'the other socket of the pair is closed');
      outbound.push(bytes);
    },
    shutdown({ read, write }) {
      if (read) inbound.readerOpen = false;
      if (write) outbound.writerOpen = false;
    },
    close() {
      inbound.readerOpen = false;
      outbound.writerOpen = false;
    },
  };
}
