import type { MessagePort } from 'node:worker_threads';
import { nodeWorkerThreads } from '../platform/node-builtins.js';
import { WasiError, type ErrnoName } from '../abi/wasi-error.js';
import { errnoFromNodeCode } from '../fs/errno-from-node.js';
import { WasiOptionError } from '../errors.js';
import type { InputSource, Waiter } from '../stdio.js';
import { connectionSource } from './entries.js';
import { IO_WORKER_SOURCE } from './node-io-worker.js';
import type { SocketConnection, SocketListener } from './types.js';

// The Node I/O bridge: asynchronous sockets and streams serviced by a worker for a guest that blocks.

/** An address as Node reports it. */
export interface HostPort {
  host: string;
  port: number;
}

export type WorkerMessage =
  | { t: 'data'; id: number; bytes: Uint8Array }
  | { t: 'end'; id: number }
  | { t: 'error'; id: number; code: string; message?: string }
  | { t: 'conn'; id: number; conn: number; local: HostPort; remote: HostPort }
  | { t: 'connected'; id: number; local: HostPort; remote: HostPort }
  | { t: 'listening'; id: number; host: string; port: number }
  | { t: 'resolved'; id: number; addrs: string[] }
  | { t: 'dgram'; id: number; bytes: Uint8Array; from: HostPort }
  | { t: 'lingered'; id: number }
  | { t: 'sent'; id: number; n: number }
  | { t: 'fatal'; message: string };


/**
 * One per thread, made on first use: the worker owning the asynchronous I/O, the port its events
 * arrive on (drained synchronously), and the shared cell it bumps after each event, which a blocked
 * guest waits on. The worker is unref'd, so it never keeps the process alive.
 */
export class IoBridge implements Waiter {
  readonly #cell = new Int32Array(new SharedArrayBuffer(4));
  readonly #port: MessagePort;
  readonly #on = new Map<number, (m: WorkerMessage) => void>();
  #nextId = 1;
  /** Closes commanded since the last linger: when none, there is nothing to wait for. */
  #closes = 0;
  fatal: string | undefined;

  constructor() {
    const { MessageChannel, Worker } = nodeWorkerThreads();
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    // No execArgv: a preload such as `--import tsx` would make the worker's start wait on this (blocked) thread.
    const worker = new Worker(IO_WORKER_SOURCE, { eval: true, execArgv: [], workerData: { port: port2, cell: this.#cell.buffer }, transferList: [port2] });
    worker.unref();
  }

  register(handler: (m: WorkerMessage) => void, id = this.#nextId++): number {
    this.#on.set(id, handler);
    return id;
  }

  forget(id: number): void {
    this.#on.delete(id);
  }

  /**
   * Stops the listener `id`: connections the worker already reported (`pending`, emptied) are closed,
   * those still in flight first pumped in so that they are closed too, then the server.
   */
  closeListener(id: number, pending: { close(): void }[]): void {
    this.pump();
    for (const c of pending.splice(0)) c.close();
    this.forget(id);
    this.command({ t: 'close', id });
  }

  /** Sends a command; `transfer` moves buffers to the worker instead of copying them. */
  command(msg: { t: string; id: number; [k: string]: unknown }, transfer?: ArrayBuffer[]): void {
    if (msg.t === 'close') this.#closes++;
    this.#port.postMessage(msg, transfer);
  }

  /**
   * Waits (up to `timeoutMs`) until the sockets closed so far have handed what they had queued to the
   * system. The worker ends with this thread, so a program that sends its last reply, closes and exits
   * would otherwise lose it; Linux sends it after exit(2) (no SO_LINGER: close(2) does not wait).
   */
  linger(timeoutMs: number): void {
    if (this.#closes === 0) return;
    this.#closes = 0;
    let done = false;
    const id = this.register(() => (done = true));
    this.command({ t: 'linger', id, ms: timeoutMs });
    // The worker answers by timeoutMs itself; the margin covers a worker that cannot answer at all.
    const until = performance.now() + timeoutMs + 1000;
    while (!done && !this.fatal && performance.now() < until) this.wait(until - performance.now());
    this.forget(id);
  }

  /** Takes every event the worker has sent so far and says how many; never blocks. */
  pump(): number {
    const { receiveMessageOnPort } = nodeWorkerThreads();
    let n = 0;
    for (let r = receiveMessageOnPort(this.#port); r; r = receiveMessageOnPort(this.#port), n++) {
      const m = r.message as WorkerMessage;
      if (m.t === 'fatal') this.fatal = m.message;
      else this.#on.get(m.id)?.(m);
    }
    return n;
  }

  wait(timeoutMs: number): void {
    const seen = Atomics.load(this.#cell, 0);
    // An event that came after the caller last looked (and before `seen`) is taken here: the caller
    // must look again rather than sleep until a next event that may never come.
    const took = this.pump();
    if (this.fatal) throw new Error(`wasi-kit I/O worker failed: ${this.fatal}`);
    if (took > 0) return;
    Atomics.wait(this.#cell, 0, seen, timeoutMs);
    this.pump();
  }
}

let ioBridge: IoBridge | undefined;
/** This thread's bridge, started on first use. */
export const bridge = (): IoBridge => (ioBridge ??= new IoBridge());
/** This thread's bridge if it has been started. */
export const startedBridge = (): IoBridge | undefined => ioBridge;

/**
 * What a connection may have on its way to the system before a send waits. Linux's TCP send buffer
 * grows to about 4 MiB on loopback (net.ipv4.tcp_wmem); this is the same order without its tuning.
 */
const DEFAULT_SEND_BUFFER = 1 << 20;

/** A stream the worker reads (a socket or stdin), buffered on the guest's thread. */
export class BridgeStream implements SocketConnection {
  readonly #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #error: ErrnoName | undefined;
  #readShut = false;
  #writeShut = false;
  #closed = false;
  /** Bytes sent to the worker that the system has not taken yet: the send buffer's fill. */
  #unsent = 0;
  /** The send buffer's size (SO_SNDBUF): sends wait while this much is on its way. */
  sendBuffer = DEFAULT_SEND_BUFFER;
  /** The addresses of a TCP connection, as Node reports them. */
  local: HostPort | undefined;
  remote: HostPort | undefined;
  readonly id: number;

  constructor(
    readonly waiter: IoBridge,
    id?: number,
    /** Other messages for this id (a connect's `connected`). */
    readonly onOther?: (m: WorkerMessage) => void,
  ) {
    this.id = waiter.register((m) => this.#onMessage(m), id);
  }

  #onMessage(m: WorkerMessage): void {
    if (m.t === 'data' && !this.#readShut) {
      this.#chunks.push(m.bytes);
      this.#buffered += m.bytes.length;
    } else if (m.t === 'sent') {
      this.#unsent -= m.n;
    } else if (m.t === 'end') {
      this.#ended = true;
    } else if (m.t === 'error') {
      // A code with no WASI meaning is still the peer's doing here, not a host bug: io.
      this.#error ??= errnoFromNodeCode(m.code) ?? 'io';
    }
    this.onOther?.(m);
  }

  state() {
    this.waiter.pump();
    return { buffered: this.#buffered, ended: this.#ended || this.#readShut, error: this.#error };
  }

  take(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(Math.min(n, this.#buffered));
    let at = 0;
    for (let i = 0; at < out.length; i++) {
      const c = this.#chunks[i]!;
      const part = c.subarray(0, out.length - at);
      out.set(part, at);
      at += part.length;
    }
    if (consume) {
      let left = out.length;
      while (left > 0) {
        const c = this.#chunks[0]!;
        if (c.length <= left) {
          this.#chunks.shift();
          left -= c.length;
        } else {
          this.#chunks[0] = c.subarray(left);
          left = 0;
        }
      }
      this.#buffered -= out.length;
    }
    return out;
  }

  send(bytes: Uint8Array): void {
    this.waiter.pump();
    if (this.#error !== undefined) throw new WasiError(this.#error === 'notconn' ? 'pipe' : this.#error);
    if (this.#writeShut || this.#closed) throw new WasiError('pipe');
    // One copy (bytes may be a view of the guest's memory), moved to the worker rather than cloned.
    const copy = bytes.slice();
    this.#unsent += copy.length;
    this.waiter.command({ t: 'send', id: this.id, bytes: copy }, [copy.buffer]);
  }

  sendRoom(): number {
    this.waiter.pump();
    return this.sendBuffer - this.#unsent;
  }

  shutdown(how: { read: boolean; write: boolean }): void {
    if (how.read && !this.#readShut) {
      // Bytes that arrive after SHUT_RD are dropped, as Linux does.
      this.#readShut = true;
      this.#chunks.length = 0;
      this.#buffered = 0;
    }
    if (how.write && !this.#writeShut) {
      this.#writeShut = true;
      this.waiter.command({ t: 'end', id: this.id });
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.waiter.forget(this.id);
    this.waiter.command({ t: 'close', id: this.id });
  }
}

/** A TCP listener whose server lives in the I/O worker, for `options.preopenSockets`. */
export interface TcpListener extends SocketListener {
  /** The bound address (the port the system chose when asked for port 0). */
  readonly host: string;
  readonly port: number;
}

const LISTEN_TIMEOUT_MS = 10_000;

/**
 * Opens a TCP listener (default `127.0.0.1`, port 0: any free port) for a guest to `sock_accept`
 * on. Blocks until the worker is listening (up to 10 s) and throws its error (`code` `EADDRINUSE`, ...).
 * The guest closing its fd, or `close()`, stops it.
 */
export function listenTcp(options: { host?: string; port?: number; backlog?: number } = {}): TcpListener {
  const b = bridge();
  const pending: BridgeStream[] = [];
  let address: { host: string; port: number } | undefined;
  let failure: { code: string; message?: string } | undefined;
  let closed = false;
  const id = b.register((m) => {
    if (m.t === 'conn') {
      const c = new BridgeStream(b, m.conn);
      c.local = m.local;
      c.remote = m.remote;
      pending.push(c);
    }
    else if (m.t === 'listening') address = { host: m.host, port: m.port };
    else if (m.t === 'error') failure = { code: m.code, message: m.message };
  });
  b.command({ t: 'listen', id, host: options.host ?? '127.0.0.1', port: options.port ?? 0, backlog: options.backlog ?? 511 });
  const until = Date.now() + LISTEN_TIMEOUT_MS;
  while (!address && !failure && Date.now() < until) b.wait(until - Date.now());
  if (!address) {
    b.forget(id);
    b.command({ t: 'close', id });
    const err = new Error(failure ? `listenTcp: ${failure.message ?? failure.code}` : 'listenTcp: the I/O worker did not answer in 10 s') as Error & { code?: string };
    err.code = failure?.code ?? 'ETIMEDOUT';
    throw err;
  }
  const { host, port } = address;
  return {
    host,
    port,
    waiter: b,
    accept() {
      b.pump();
      return closed ? undefined : pending.shift();
    },
    pending() {
      b.pump();
      return closed ? 0 : pending.length;
    },
    close() {
      if (closed) return;
      closed = true;
      b.closeListener(id, pending);
    },
  };
}

/**
 * stdin from a Node stream over a file descriptor (`process.stdin`, a `tty.ReadStream`, a pipe's
 * `net.Socket`, an open `fs.ReadStream`): the I/O worker reads the fd, so a guest blocked in fd_read
 * waits in Atomics.wait, and poll_oneoff sees when bytes are there. A stream without an fd lives on
 * this thread, which the guest blocks, so it cannot be served: feed a SharedStdin from another thread.
 */
export function streamInput(stream: object): InputSource {
  const s = stream as { fd?: unknown; _handle?: { fd?: unknown } };
  const fd = typeof s.fd === 'number' ? s.fd : typeof s._handle?.fd === 'number' ? s._handle.fd : undefined;
  if (fd === undefined || fd < 0) {
    throw new WasiOptionError('ERR_INVALID_ARG_VALUE', 'options.stdin', 'The "options.stdin" stream must have a file descriptor (the guest blocks this thread, so only the I/O worker can read it); for other streams, feed a SharedStdin from another thread');
  }
  const conn = new BridgeStream(bridge());
  conn.waiter.command({ t: 'input', id: conn.id, fd });
  return connectionSource(conn);
}
