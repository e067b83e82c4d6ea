import { WasiError } from '../abi/errno-of.js';
import type { ErrnoName } from '../abi/wasi-error.js';
import { WasiOptionError } from '../errors.js';
import { ByteQueue } from '../pipe.js';
import type { Waiter } from '../stdio.js';
import { normalizeIp } from './grants.js';
import { fetchOver } from './virtual-fetch.js';
import type { DatagramSocket, HostAddr, HostListener, HostNetwork, HostOp, SocketConnection } from './types.js';

// A network inside the kernel, for hosts without sockets (browsers) or guests that must reach only
// each other: one host, its loopback, whose ports are the listeners guests open. Stream sockets
// (TCP-like, unbounded buffers) and datagrams (UDP-like, lost when nobody has the port); connecting to a port nobody listens on is `connrefused`, as Linux's
// loopback answers with RST, unless the page's `connector` takes the connection. Everything runs on
// the thread that owns the object (the kernel's), so several WASI instances share one by being given
// it: their guests wait by parking (threaded programs, `run()`), and the page's streams are woken by
// promises. Nothing here reaches the outside world.

/** The page's end of a connection: a duplex byte stream (web streams). */
export interface VirtualDuplex {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

/** Options of a {@link VirtualNetwork}. */
export interface VirtualNetworkOptions {
  /**
   * Called for a connect to an address no guest listens on (any host but loopback's ports in use):
   * the stream returned becomes the guest's peer (bridge it to a WebSocket, say); undefined refuses
   * (`connrefused`). Without it, such connects are refused.
   */
  connector?: (to: HostAddr) => VirtualDuplex | undefined;
}

const FIRST_EPHEMERAL = 49152;
const LAST_PORT = 65535;
/** Linux's default net.core.somaxconn (since 5.4). */
const SOMAXCONN = 4096;

/** Whether `host` is this network's host: loopback (127.0.0.0/8, ::1) or the any-address. */
const isLocal = (host: string): boolean => {
  const ip = normalizeIp(host) ?? host;
  return ip === '0.0.0.0' || ip === '::' || ip === '::1' || ip.startsWith('127.') || ip === '::ffff:127.0.0.1';
};

const checkPort = (port: number) => {
  if (!Number.isInteger(port) || port < 1 || port > LAST_PORT) throw new RangeError(`The "port" argument must be an integer from 1 to 65535. Received ${String(port)}`);
};

const done = <T>(r: { ok: T } | { errno: ErrnoName }): HostOp<T> => ({ poll: () => r, cancel: () => {} });

/** One direction of a connection. */
class Stream extends ByteQueue {}

/**
 * An in-kernel network of stream and datagram sockets between guests (WASIX `sock_open`, `sock_listen`,
 * `sock_connect` and what follows), shared by the processes of a run and by every WASI instance given
 * it as `options.network.virtual`; the page reaches a guest's listener with {@link connect} and
 * {@link fetch}. Platform-neutral: the same object works in Node and in browsers.
 */
export class VirtualNetwork {
  readonly #listeners = new Map<number, VirtualListener>();
  readonly #usedPorts = new Set<number>();
  readonly #udp = new Map<number, { deliver(bytes: Uint8Array, from: HostAddr): void }>();
  readonly #udpPorts = new Set<number>();
  #nextPort = FIRST_EPHEMERAL;
  readonly #wakers = new Set<() => void>();
  readonly #watchers = new Set<() => void>();
  readonly #connector: VirtualNetworkOptions['connector'];

  constructor(options: VirtualNetworkOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new WasiOptionError('ERR_INVALID_ARG_TYPE', 'options', 'The "options" argument must be of type object');
    if (options.connector !== undefined && typeof options.connector !== 'function') {
      throw new WasiOptionError('ERR_INVALID_ARG_TYPE', 'options.connector', 'The "options.connector" property must be a function');
    }
    this.#connector = options.connector;
  }

  /** What a guest waits on. Only a parked call (a threaded guest) can ever see a change: see wait. */
  readonly waiter: Waiter = {
    wait: (timeoutMs) => {
      // A guest on this very thread blocks the only thread that could change anything here.
      if (!Number.isFinite(timeoutMs)) throw new WasiError('deadlk', 'a virtual network wait on the kernel thread would never end: run the program with WASI.run() in a worker');
      try {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, timeoutMs);
      } catch {
        // A browser's main thread may not block (nor make a SharedArrayBuffer when not isolated).
        throw new WasiError('notsup', 'this thread may not wait');
      }
    },
  };

  /** @internal Tells the page's streams and the runs that watch this network that something changed. */
  changed(): void {
    for (const w of [...this.#wakers]) w();
    for (const w of this.#watchers) w();
  }

  /**
   * @internal `wake` is called at every change until the returned function is called: a run in workers
   * runs its guests' parked calls again at once, rather than at its next look for outside changes.
   */
  watch(wake: () => void): () => void {
    this.#watchers.add(wake);
    return () => void this.#watchers.delete(wake);
  }

  /** A promise settled at the next change. */
  #nextChange(): Promise<void> {
    return new Promise((resolve) => {
      const w = () => {
        this.#wakers.delete(w);
        resolve();
      };
      this.#wakers.add(w);
    });
  }

  #ephemeral(): number {
    for (let i = 0; i <= LAST_PORT - FIRST_EPHEMERAL; i++) {
      const p = this.#nextPort;
      this.#nextPort = p === LAST_PORT ? FIRST_EPHEMERAL : p + 1;
      if (!this.#usedPorts.has(p)) return p;
    }
    throw new WasiError('addrinuse', 'every ephemeral port of the virtual network is in use');
  }

  /** The ports guests listen on now. */
  ports(): number[] {
    return [...this.#listeners.keys()].sort((a, b) => a - b);
  }

  /** @internal The HostNetwork the kernel's WASIX socket handlers use. */
  readonly host: HostNetwork = {
    waiter: this.waiter,
    listen: (at, backlog) => done(this.#listen(at, backlog)),
    connect: (to) => done(this.#connect(to)),
    datagram: (_family, at) => done(this.#datagram(at)),
    resolve: (name) => done(name.toLowerCase() === 'localhost' ? { ok: ['127.0.0.1'] } : normalizeIp(name) ? { ok: [normalizeIp(name)!] } : { errno: 'noent' }),
  };

  #listen(at: HostAddr, backlog: number): { ok: HostListener } | { errno: ErrnoName } {
    if (!isLocal(at.host)) return { errno: 'addrnotavail' };
    if (at.port !== 0 && this.#usedPorts.has(at.port)) return { errno: 'addrinuse' };
    const port = at.port || this.#ephemeral();
    const l = new VirtualListener(this, { host: at.host, port }, backlog, () => {
      this.#listeners.delete(port);
      this.#usedPorts.delete(port);
    });
    this.#listeners.set(port, l);
    this.#usedPorts.add(port);
    return { ok: l };
  }

  #datagram(at: HostAddr): { ok: DatagramSocket } | { errno: ErrnoName } {
    if (!isLocal(at.host)) return { errno: 'addrnotavail' };
    if (at.port !== 0 && this.#udpPorts.has(at.port)) return { errno: 'addrinuse' };
    let port = at.port;
    if (port === 0) {
      // UDP ports are a namespace of their own, as on Linux.
      do port = this.#ephemeral();
      while (this.#udpPorts.has(port));
    }
    const local = { host: at.host === '0.0.0.0' || at.host === '::' ? '127.0.0.1' : at.host, port };
    const queue: { bytes: Uint8Array; from: HostAddr }[] = [];
    let closed = false;
    const sock: DatagramSocket & { deliver(bytes: Uint8Array, from: HostAddr): void } = {
      waiter: this.waiter,
      local,
      deliver: (bytes, from) => void queue.push({ bytes, from }),
      receive: (consume) => (consume ? queue.shift() : queue[0]),
      state: () => ({ next: queue[0]?.bytes.length, error: undefined }),
      send: (bytes, to) => {
        if (closed) throw new WasiError('badf');
        // A datagram to a port nobody has bound is lost, as UDP's are (Linux's ICMP port
        // unreachable reaches only a connected socket); one to another host needs a connector,
        // which carries streams only: lost too.
        const peer = isLocal(to.host) ? this.#udp.get(to.port) : undefined;
        peer?.deliver(bytes.slice(), local);
        this.changed();
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.#udp.delete(port);
        this.#udpPorts.delete(port);
        this.changed();
      },
    };
    this.#udp.set(port, sock);
    this.#udpPorts.add(port);
    return { ok: sock };
  }

  #connect(to: HostAddr): { ok: SocketConnection } | { errno: ErrnoName } {
    const l = isLocal(to.host) ? this.#listeners.get(to.port) : undefined;
    if (l) {
      // A full queue refuses. Linux drops the SYN instead and the client retries until there is room,
      // so a small backlog never refuses a burst there: here the queue holds at least SOMAXCONN.
      if (l.pending() >= Math.max(l.backlog, SOMAXCONN)) return { errno: 'connrefused' };
      const port = this.#ephemeral();
      this.#usedPorts.add(port);
      const local = { host: '127.0.0.1', port };
      const [client, server] = this.#pair(local, { host: '127.0.0.1', port: to.port }, () => this.#usedPorts.delete(port));
      l.queue(server);
      this.changed();
      return { ok: client };
    }
    const page = this.#connector?.(to);
    if (!page) return { errno: 'connrefused' };
    const [guest, outside] = this.#pair({ host: '127.0.0.1', port: this.#ephemeral() }, to, () => {});
    pump(outside, page, this);
    return { ok: guest };
  }

  /** Two connected ends: `a` at `local` (its peer at `remote`), `b` the other way round. */
  #pair(local: HostAddr, remote: HostAddr, onClosed: () => void): [VirtualConnection, VirtualConnection] {
    const ab = new Stream();
    const ba = new Stream();
    let open = 2;
    const closed = () => --open === 0 && onClosed();
    const a = new VirtualConnection(this, ba, ab, local, remote, closed);
    const b = new VirtualConnection(this, ab, ba, remote, local, closed);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  /**
   * Connects the page to a guest listening on `port` (of 127.0.0.1): a duplex byte stream. Rejects
   * with `ECONNREFUSED` (an Error whose `code` says so) when no guest listens there.
   */
  async connect(port: number): Promise<VirtualDuplex> {
    checkPort(port);
    const r = this.#connect({ host: '127.0.0.1', port });
    if ('errno' in r) throw Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: 'ECONNREFUSED' });
    return duplexOf(r.ok as VirtualConnection, this);
  }

  /**
   * Sends an HTTP/1.1 request to a guest's server listening on `port` and resolves with its response
   * (read whole; one connection per request, closed after it). `input` is a Request, a URL or a path
   * (`/index.html`), resolved against `http://localhost:<port>/`; `init` as fetch's.
   */
  async fetch(port: number, input: Request | URL | string, init?: RequestInit): Promise<Response> {
    checkPort(port);
    const request = input instanceof Request ? new Request(input, init) : new Request(new URL(input, `http://localhost:${port}/`), init);
    return fetchOver(await this.connect(port), request);
  }

  /** @internal Waits until something changes (the page's streams). */
  nextChange(): Promise<void> {
    return this.#nextChange();
  }
}

/** A guest's listener on the virtual network. */
class VirtualListener implements HostListener {
  readonly #pending: VirtualConnection[] = [];
  #closed = false;
  constructor(
    readonly net: VirtualNetwork,
    readonly local: HostAddr,
    readonly backlog: number,
    readonly onClose: () => void,
  ) {}
  get waiter() {
    return this.net.waiter;
  }
  queue(c: VirtualConnection) {
    this.#pending.push(c);
  }
  accept() {
    return this.#pending.shift();
  }
  pending() {
    return this.#pending.length;
  }
  close() {
    if (this.#closed) return;
    this.#closed = true;
    // Connections never accepted are reset, as Linux resets them when a listener closes.
    for (const c of this.#pending.splice(0)) c.reset();
    this.onClose();
    this.net.changed();
  }
}

/** One end of a connection: reads `inbound`, writes `outbound`. */
class VirtualConnection implements SocketConnection {
  #closed = false;
  #error: ErrnoName | undefined;
  peer: VirtualConnection | undefined;
  constructor(
    readonly net: VirtualNetwork,
    readonly inbound: Stream,
    readonly outbound: Stream,
    readonly local: HostAddr,
    readonly remote: HostAddr,
    readonly onClosed: () => void,
  ) {}
  get waiter() {
    return this.net.waiter;
  }
  state() {
    return { buffered: this.inbound.size, ended: !this.inbound.writerOpen || !this.inbound.readerOpen, error: this.#error };
  }
  take(n: number, consume: boolean) {
    const into = new Uint8Array(Math.min(n, this.inbound.size));
    this.inbound.take(into, consume);
    return into;
  }
  send(bytes: Uint8Array) {
    if (this.#error) throw new WasiError(this.#error);
    if (!this.outbound.writerOpen) throw new WasiError('pipe', 'this socket has shut down writing');
    // Linux answers data to a closed socket with RST: the sender sees connreset, then pipe.
    if (!this.outbound.readerOpen) throw new WasiError('connreset', 'the peer has closed the connection');
    this.outbound.push(bytes);
    this.net.changed();
  }
  shutdown({ read, write }: { read: boolean; write: boolean }) {
    if (read) this.inbound.readerOpen = false;
    if (write) this.outbound.writerOpen = false;
    this.net.changed();
  }
  /** The connection was refused after all (its listener closed before accepting it): the peer sees a reset. */
  reset() {
    if (this.peer) this.peer.#error = 'connreset';
    this.close();
  }
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.inbound.readerOpen = false;
    this.outbound.writerOpen = false;
    this.onClosed();
    this.net.changed();
  }
}

/** Reads what `c` receives, as a web stream pair; writes go to its peer. */
function duplexOf(c: VirtualConnection, net: VirtualNetwork): VirtualDuplex {
  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { buffered, ended, error } = c.state();
        if (buffered > 0) return controller.enqueue(c.take(buffered, true));
        if (error) return controller.error(Object.assign(new Error(`read ${error.toUpperCase()}`), { code: `E${error.toUpperCase()}` }));
        if (ended) {
          controller.close();
          // Both ways done: the connection is over.
          if (!c.outbound.writerOpen) c.close();
          return;
        }
        await net.nextChange();
      }
    },
    cancel() {
      c.shutdown({ read: true, write: false });
      if (!c.outbound.writerOpen) c.close();
    },
  });
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      try {
        c.send(chunk);
      } catch (err) {
        throw err instanceof WasiError ? Object.assign(new Error(`write E${err.errno.toUpperCase()}`), { code: `E${err.errno.toUpperCase()}` }) : err;
      }
    },
    close() {
      c.shutdown({ read: false, write: true });
      if (c.state().ended) c.close();
    },
    abort() {
      c.close();
    },
  });
  return { readable, writable };
}

/** Joins `end` (a connection the guest's peer owns) to the page's duplex stream. */
function pump(end: VirtualConnection, page: VirtualDuplex, net: VirtualNetwork): void {
  const mine = duplexOf(end, net);
  void mine.readable.pipeTo(page.writable).catch(() => end.close());
  void page.readable.pipeTo(mine.writable).catch(() => end.close());
}
