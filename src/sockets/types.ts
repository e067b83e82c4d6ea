import type { ErrnoName } from '../abi/wasi-error.js';
import type { Waiter } from '../stdio.js';

/** A connected byte stream the guest reaches through a socket fd (or stdin fed by another thread). */
export interface SocketConnection {
  readonly waiter: Waiter;
  /** What is buffered now; never blocks. `error` is an errno name once the stream has failed. */
  state(): { buffered: number; ended: boolean; error: ErrnoName | undefined };
  /** Up to `n` buffered bytes, removed from the buffer unless `consume` is false (peek). */
  take(n: number, consume: boolean): Uint8Array;
  /** Queues bytes for the peer; throws a WasiError (`pipe`, `connreset`, ...) once that is impossible. */
  send(bytes: Uint8Array): void;
  shutdown(how: { read: boolean; write: boolean }): void;
  close(): void;
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

/** What a socket fd holds: a listener (sock_accept) or a connection (sock_recv, sock_send, fd_read, fd_write). */
export type GuestSocket = { readonly kind: 'listener'; readonly listener: SocketListener } | { readonly kind: 'connection'; readonly conn: SocketConnection };

export const isSocketListener = (v: unknown): v is SocketListener =>
  typeof v === 'object' && v !== null && ['accept', 'pending', 'close'].every((k) => typeof (v as Record<string, unknown>)[k] === 'function') && typeof (v as SocketListener).waiter?.wait === 'function';
