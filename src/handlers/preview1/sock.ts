import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import { WasiError } from '../../abi/errno-of.js';
import type { Kernel } from '../../kernel.js';

type H = Pick<WasiSnapshotPreview1, 'sock_accept' | 'sock_recv' | 'sock_send' | 'sock_shutdown'>;

/** No fd is a socket yet (sockets are preopened by a later feature): a known fd is `notsock`. */
export function sockHandlers(k: Kernel): H {
  const notSocket = (fd: number): never => {
    k.fds.get(fd, 0);
    throw new WasiError('notsock');
  };
  return {
    sock_accept: (fd) => notSocket(fd),
    sock_recv: (fd) => notSocket(fd),
    sock_send: (fd) => notSocket(fd),
    sock_shutdown: (fd) => notSocket(fd),
  };
}
