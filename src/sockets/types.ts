import type { ErrnoName } from '../abi/wasi-error.js';
import type { Waiter } from '../stdio.js';

/** A connected byte stream the guest reaches through a socket fd (or stdin fed by another thread). */
export interface SocketConnection {
  readonly waiter: Waiter;
  /** What is buffered now; never blocks. `error` is an errno name once the stream has failed. */
  state(): { buffered: number; ended: boolean; error: ErrnoName | undefined };
  /** Up to `n` buffered bytes, removed from the buffer unless `consume` is false (peek). */
  take(n: number, consume: boolean): Uint8Array;
  /**
   * Queues bytes for the peer (copying what it keeps: `bytes` may be a view of the guest's memory);
   * throws a WasiError (`pipe`, `connreset`, ...) once that is impossible.
   */
  send(bytes: Uint8Array): void;
  /**
   * Optional: how many more bytes may be queued before a send waits (the send buffer's room; at most
   * zero while full). Without it, sends never wait.
   */
  sendRoom?(): number;
  shutdown(how: { read: boolean; write: boolean }): void;
  close(): void;
  /** The addresses of a host connection (WASIX sock_addr_local/peer, sock_accept_v2). */
  readonly local?: HostAddr;
  readonly remote?: HostAddr;
  /** Sets a TCP option the host honours (nodelay, keepalive). */
  setOption?(opt: 'nodelay' | 'keepalive', on: boolean): void;
}

/** An IP address (as text, the way Node prints it) and a port. */
export interface HostAddr {
  readonly host: string;
  readonly port: number;
}

/**
 * A listening socket the host gives the guest as an fd (`options.preopenSockets`). On Node,
 * `listenTcp()` makes one; any object with these members works (an in-memory one, for instance).
 */
export interface SocketListener {
  readonly waiter: Waiter;
  /** A pending connection, taken without blocking; undefined when none is pending. */
  accept(): SocketConnection | undefined;
  /** How many connections are waiting to be accepted. */
  pending(): number;
  close(): void;
}

/** A datagram socket bound on the host (WASIX sock_send_to/sock_recv_from). */
export interface DatagramSocket {
  readonly waiter: Waiter;
  readonly local: HostAddr;
  /** The next datagram, removed unless `consume` is false; undefined when none is queued. */
  receive(consume: boolean): { bytes: Uint8Array; from: HostAddr } | undefined;
  /** Size of the next datagram, or undefined when none is queued; `error` once the socket failed. */
  state(): { next: number | undefined; error: ErrnoName | undefined };
  send(bytes: Uint8Array, to: HostAddr): void;
  close(): void;
}

/** An operation on the host that completes later: polled, so a call parked and retried finds it again. */
export interface HostOp<T> {
  /** The outcome so far: the value, an errno name, or undefined while pending. */
  poll(): { ok: T } | { errno: ErrnoName } | undefined;
  /** Gives up: whatever the operation made is closed. */
  cancel(): void;
}

/** A listener made by a guest's sock_listen; its connections carry their addresses. */
export interface HostListener extends SocketListener {
  readonly local: HostAddr;
}

/**
 * Real sockets for WASIX's sock_open and friends (Node: node:net, node:dgram, node:dns from the I/O
 * worker). Absent where the platform has no network (browsers), where sock_open answers `notsup`.
 */
export interface HostNetwork {
  /** What a call waiting on any of these operations waits on. */
  readonly waiter: Waiter;
  listen(at: HostAddr, backlog: number): HostOp<HostListener>;
  connect(to: HostAddr): HostOp<SocketConnection>;
  datagram(family: 4 | 6, at: HostAddr): HostOp<DatagramSocket>;
  /** The IP addresses a host name resolves to (getaddrinfo). */
  resolve(name: string): HostOp<string[]>;
  /**
   * Waits (up to `timeoutMs`) until closed sockets have handed their queued bytes to the system, for
   * a program that has ended: its thread, and the host's sockets with it, may end next.
   */
  linger?(timeoutMs: number): void;
  /**
   * For a network whose changes a run's calls do not all make (one shared by several runs and the page):
   * `wake` is called at each change until the returned function is called.
   */
  watch?(wake: () => void): () => void;
}

/** Where a WASIX socket is in its life (socket(2), then bind, then listen or connect). */
export interface PendingSocket {
  /** The operation under way (listen or connect), found again by a retried call. */
  op?: HostOp<HostListener> | HostOp<SocketConnection> | HostOp<DatagramSocket>;
  /** What `op` does: only a connect is left under way between calls (a nonblocking one). */
  opKind?: 'listen' | 'connect' | 'bind';

  /** Set once a nonblocking or timed-out connect failed: reported once by sock_status/getsockopt. */
  failed?: ErrnoName;
}

/**
 * What a socket fd holds: a listener (sock_accept), a connection (sock_recv, sock_send, fd_read,
 * fd_write), a datagram socket, or a WASIX socket not yet listening or connected.
 */
export type GuestSocket =
  | { readonly kind: 'listener'; readonly listener: SocketListener }
  | { readonly kind: 'connection'; readonly conn: SocketConnection }
  | { readonly kind: 'datagram'; readonly dgram: DatagramSocket }
  | { readonly kind: 'pending'; readonly pending: PendingSocket };

export const isSocketListener = (v: unknown): v is SocketListener =>
  typeof v === 'object' && v !== null && ['accept', 'pending', 'close'].every((k) => typeof (v as Record<string, unknown>)[k] === 'function') && typeof (v as SocketListener).waiter?.wait === 'function';
