import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { SockProto, SockType } from '../../../generated/wasix/types.js';
import { WasiError } from '../../abi/errno-of.js';
import type { Process } from '../../kernel/process.js';
import { connectionEntry } from '../../sockets/entries.js';
import { createSocketPair } from '../../sockets/pair.js';
import { idleWaiter } from './idle.js';

/**
 * `sock_pair`: two connected stream sockets in memory. Each end is a socket fd like an accepted
 * connection, so fd_read, fd_write, sock_recv, sock_send, sock_shutdown, poll_oneoff and epoll serve it.
 * Any address family is taken (the pair has no addresses); only stream sockets exist here, since
 * datagram and seqpacket pairs would have to keep message boundaries. Wasmer gives `notsup` for tcp
 * with a non-stream type and udp with a non-datagram type (lib/wasix/src/syscalls/wasix/sock_pair.rs).
 */
export function wasixSockPairHandlers(k: Process): Pick<Wasix32v1, 'sock_pair'> {
  const { fds } = k;
  return {
    sock_pair(_af, socktype, proto) {
      if (socktype !== SockType.socket_stream) throw new WasiError('notsup', 'only stream socket pairs');
      if (proto !== SockProto.ip && proto !== SockProto.tcp) throw new WasiError('notsup', 'a stream socket pair speaks no other protocol');
      const [a, b] = createSocketPair(idleWaiter(k, 'reading an empty socket pair'));
      const first = fds.insert(connectionEntry(a, 0));
      try {
        return [first, fds.insert(connectionEntry(b, 0))];
      } catch (err) {
        fds.close(first);
        b.close();
        throw err;
      }
    },
  };
}
