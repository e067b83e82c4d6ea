import { WasiError } from '../abi/wasi-error.js';
import type { ErrnoName } from '../abi/wasi-error.js';
import { errnoFromNodeCode } from '../fs/errno-from-node.js';
import { BridgeStream, bridge, startedBridge, type IoBridge, type WorkerMessage } from './node-bridge.js';
import type { DatagramSocket, HostAddr, HostListener, HostNetwork, HostOp, SocketConnection } from './types.js';

// WASIX's own sockets on Node: every operation is a command to the I/O worker (node:net, node:dgram,
// node:dns there) whose answer arrives as a message, so the guest's thread only ever waits on the
// bridge's cell and a parked call finds its operation again when retried.

// getaddrinfo's failures (a name that does not resolve) are `noent`, as wasi-libc's getaddrinfo maps EAI_NONAME.
const errnoOf = (code: string): ErrnoName => errnoFromNodeCode(code) ?? (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA' ? 'noent' : 'io');

/** An operation whose outcome a message sets. */
class Op<T> implements HostOp<T> {
  outcome: { ok: T } | { errno: ErrnoName } | undefined;
  constructor(
    readonly b: IoBridge,
    readonly onCancel: () => void,
  ) {}
  poll() {
    this.b.pump();
    return this.outcome;
  }
  cancel() {
    this.onCancel();
  }
}

class TcpConnection extends BridgeStream {
  setOption(opt: 'nodelay' | 'keepalive', on: boolean): void {
    this.waiter.command({ t: 'setopt', id: this.id, opt, on });
  }
}

function listen(b: IoBridge, at: HostAddr, backlog: number): HostOp<HostListener> {
  const pending: TcpConnection[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    b.closeListener(id, pending);
  };
  const op = new Op<HostListener>(b, close);
  const id = b.register((m: WorkerMessage) => {
    if (m.t === 'conn') {
      const c = new TcpConnection(b, m.conn);
      c.local = m.local;
      c.remote = m.remote;
      pending.push(c);
    } else if (m.t === 'listening') {
      op.outcome = {
        ok: {
          waiter: b,
          local: { host: m.host, port: m.port },
          accept: () => (b.pump(), closed ? undefined : pending.shift()),
          pending: () => (b.pump(), closed ? 0 : pending.length),
          close,
        },
      };
    } else if (m.t === 'error' && !op.outcome) {
      op.outcome = { errno: errnoOf(m.code) };
      close();
    }
  });
  b.command({ t: 'listen', id, host: at.host, port: at.port, backlog });
  return op;
}

function connect(b: IoBridge, to: HostAddr): HostOp<SocketConnection> {
  let op: Op<SocketConnection> | undefined = undefined;
  const c = new TcpConnection(b, undefined, (m) => {
    if (!op || op.outcome) return;
    if (m.t === 'connected') {
      c.local = m.local;
      c.remote = m.remote;
      op.outcome = { ok: c };
    } else if (m.t === 'error') {
      op.outcome = { errno: errnoOf(m.code) };
      c.close();
    }
  });
  op = new Op<SocketConnection>(b, () => c.close());
  b.command({ t: 'connect', id: c.id, host: to.host, port: to.port });
  return op;
}

function datagram(b: IoBridge, family: 4 | 6, at: HostAddr): HostOp<DatagramSocket> {
  const queue: { bytes: Uint8Array; from: HostAddr }[] = [];
  let error: ErrnoName | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    b.forget(id);
    b.command({ t: 'close', id });
  };
  const op = new Op<DatagramSocket>(b, close);
  const id = b.register((m: WorkerMessage) => {
    if (m.t === 'dgram') queue.push({ bytes: m.bytes, from: m.from });
    else if (m.t === 'listening') {
      op.outcome = {
        ok: {
          waiter: b,
          local: { host: m.host, port: m.port },
          receive: (consume) => (b.pump(), consume ? queue.shift() : queue[0]),
          state: () => (b.pump(), { next: queue[0]?.bytes.length, error }),
          send(bytes, to) {
            if (closed) throw new WasiError('badf');
            b.command({ t: 'sendto', id, bytes: bytes.slice(), host: to.host, port: to.port });
          },
          close,
        },
      };
    } else if (m.t === 'error') {
      if (!op.outcome) {
        op.outcome = { errno: errnoOf(m.code) };
        close();
      } else error ??= errnoOf(m.code);
    }
  });
  b.command({ t: 'udp', id, type: family === 4 ? 'udp4' : 'udp6', host: at.host, port: at.port });
  return op;
}

function resolve(b: IoBridge, name: string): HostOp<string[]> {
  const op = new Op<string[]>(b, () => b.forget(id));
  const id = b.register((m: WorkerMessage) => {
    if (m.t === 'resolved') op.outcome = { ok: m.addrs };
    else if (m.t === 'error') op.outcome = { errno: errnoOf(m.code) };
    if (op.outcome) b.forget(id);
  });
  b.command({ t: 'resolve', id, host: name });
  return op;
}

/** Node's network for WASIX sockets, over this thread's I/O worker (started on first use). */
export function nodeNetwork(): HostNetwork {
  return {
    get waiter() {
      return bridge();
    },
    listen: (at, backlog) => listen(bridge(), at, backlog),
    connect: (to) => connect(bridge(), to),
    datagram: (family, at) => datagram(bridge(), family, at),
    resolve: (name) => resolve(bridge(), name),
    linger: (timeoutMs) => startedBridge()?.linger(timeoutMs),
  };
}
