import { CIOVEC, IOVEC } from '../../../generated/preview1/layout.js';
import { Fdflags, Riflags } from '../../../generated/preview1/types.js';
import { ADDR_IP, OPTION_TIMESTAMP, readOptionTimestamp } from '../../../generated/wasix/layout.js';
import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { AddressFamily, SockOption, SockProto, SockStatus, SockType, type AddrPort, type OptionTimestamp } from '../../../generated/wasix/types.js';
import { WasiError } from '../../abi/wasi-error.js';
import { callStartMs, waitOn } from '../../kernel/blocking.js';
import type { SocketFile } from '../../kernel/open-file.js';
import type { Process } from '../../kernel/process.js';
import { concatBytes } from '../../concat-bytes.js';
import { R } from '../../rights.js';
import { datagramConnection } from '../../sockets/connected-datagram.js';
import { connectionEntry, sendOn } from '../../sockets/entries.js';
import { granted, normalizeIp, resolvable } from '../../sockets/grants.js';
import type { DatagramSocket, HostAddr, HostListener, HostOp, SocketConnection } from '../../sockets/types.js';
import { NetSocketState, addrPortOf, familyOf, netSocketEntry, readSockAddr, writeAddrIp, type ProcessNetwork } from '../../sockets/wasix-socket.js';

export type SocketCalls =
  | 'sock_open'
  | 'sock_bind'
  | 'sock_listen'
  | 'sock_accept_v2'
  | 'sock_connect'
  | 'sock_status'
  | 'sock_addr_local'
  | 'sock_addr_peer'
  | 'sock_set_opt_flag'
  | 'sock_get_opt_flag'
  | 'sock_set_opt_time'
  | 'sock_get_opt_time'
  | 'sock_set_opt_size'
  | 'sock_get_opt_size'
  | 'sock_send_to'
  | 'sock_recv_from'
  | 'sock_send_file'
  | 'resolve';

const FLAGS: ReadonlySet<number> = new Set([SockOption.reuse_port, SockOption.reuse_addr, SockOption.no_delay, SockOption.dont_route, SockOption.only_v6, SockOption.broadcast, SockOption.multicast_loop_v4, SockOption.multicast_loop_v6, SockOption.keep_alive, SockOption.oob_inline]);
const SIZES: ReadonlySet<number> = new Set([SockOption.linger, SockOption.recv_buf_size, SockOption.send_buf_size, SockOption.recv_lowat, SockOption.send_lowat, SockOption.ttl, SockOption.multicast_ttl_v4]);
const TIMES: ReadonlySet<number> = new Set([SockOption.recv_timeout, SockOption.send_timeout, SockOption.connect_timeout, SockOption.accept_timeout]);

/**
 * WASIX's own sockets (sock_open and what follows it) over the host's network (Node: real TCP and UDP
 * sockets from the I/O worker), within the grants of `options.network`: a call outside them is `acces`.
 * Every wait goes through kernel/blocking.ts, so a threaded guest parks instead of blocking the kernel;
 * an operation under way (listen, connect, resolve) is kept where a retried call finds it.
 */
export function wasixSocketHandlers(k: Process): Pick<Wasix32v1, SocketCalls> {
  const { fds, memory: m } = k;
  const net = (): ProcessNetwork => k.network ?? { host: undefined, grants: { listen: [], connect: [] }, names: new Map(), resolving: new Map() };

  const socketOf = (fd: number, rights = 0): SocketFile => {
    const e = fds.get(fd, rights);
    if (e.kind !== 'socket') throw new WasiError('notsock');
    return e;
  };
  /** A socket made by sock_open (the calls that configure one mean nothing on a preopened listener or a pair). */
  const wasixSocket = (fd: number): [SocketFile, NetSocketState] => {
    const e = socketOf(fd);
    if (!e.net) throw new WasiError('notsup', 'this socket was not opened with sock_open');
    return [e, e.net];
  };
  const nonblocking = (e: SocketFile) => (e.fdflags & Fdflags.nonblock) !== 0;

  /** Waits for `op` (up to `timeoutMs` from the call's start), or `again` when nonblocking. */
  const await_ = <T>(op: HostOp<T>, waiter: { wait(ms: number): void }, timeoutMs: number, nb = false): T => {
    const deadline = callStartMs() + timeoutMs;
    for (;;) {
      const r = op.poll();
      if (r) {
        if ('errno' in r) throw new WasiError(r.errno);
        return r.ok;
      }
      if (nb) throw WasiError.quiet('again');
      const left = deadline - performance.now();
      if (left <= 0) throw new WasiError('timedout');
      waitOn(waiter, left);
    }
  };

  const checkFamily = (s: NetSocketState, family: number) => {
    if (family !== s.family) throw new WasiError('afnosupport', `an IPv${family} address on an IPv${s.family} socket`);
  };
  const mayListen = (a: HostAddr) => {
    if (!granted(net().grants.listen, a.host, a.port)) throw new WasiError('acces', `listening on ${a.host}:${a.port} is not granted (options.network.listen)`);
  };
  const mayConnect = (a: HostAddr) => {
    const n = net();
    if (!granted(n.grants.connect, a.host, a.port, n.names.get(normalizeIp(a.host) ?? a.host))) {
      throw new WasiError('acces', `connecting to ${a.host}:${a.port} is not granted (options.network.connect)`);
    }
  };
  const host = (s: NetSocketState) => {
    const h = s.network.host;
    if (!h) throw new WasiError('notsup', 'this platform has no network');
    return h;
  };
  const anyAddr = (s: NetSocketState): HostAddr => ({ host: s.family === 4 ? '0.0.0.0' : '::', port: 0 });

  /** A datagram socket bound on the host: bound now (to `s.bound`, else any port) when it is not yet. */
  const datagramOf = (e: SocketFile, s: NetSocketState, sending = false) => {
    const cur = s.current();
    if (cur.kind === 'datagram') return cur.dgram;
    if (cur.kind === 'connection' && 'dgram' in cur.conn) return (cur.conn as ReturnType<typeof datagramConnection>).dgram;
    if (cur.kind !== 'pending') throw new WasiError('inval');
    // Unbound: bound now to any address and a port the system picks, as Linux does on the first send
    // (whose destination the connect grants admitted); receiving first needs a listen grant for that.
    const at = s.bound ?? anyAddr(s);
    if (!s.bound && !sending) mayListen(at);
    if (!cur.pending.op) {
      cur.pending.op = host(s).datagram(s.family, at);
      cur.pending.opKind = 'bind';
    }
    const op = cur.pending.op as HostOp<DatagramSocket>;
    try {
      const d = await_(op, host(s).waiter, 10_000);
      s.set({ kind: 'datagram', dgram: d });
      s.bound = d.local;
      return d;
    } catch (err) {
      if (err instanceof WasiError) cur.pending.op = undefined;
      throw err;
    }
  };

  const gather = (ptr: number, count: number): Uint8Array => {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const at = ptr + i * CIOVEC.SIZE;
      const p = m.view.getUint32(at + CIOVEC.buf, true);
      const len = m.view.getUint32(at + CIOVEC.buf_len, true);
      m.check(p, len);
      parts.push(m.u8.subarray(p, p + len));
    }
    return concatBytes(parts);
  };

  return {
    sock_open(af, socktype, proto) {
      if (af !== AddressFamily.inet4 && af !== AddressFamily.inet6) throw new WasiError('afnosupport', 'only inet4 and inet6 sockets');
      const type = socktype === SockType.socket_stream ? 'stream' : socktype === SockType.socket_dgram ? 'datagram' : undefined;
      if (!type) throw new WasiError('notsup', 'only stream and datagram sockets (raw and seqpacket need privileges Node does not have)');
      if (proto !== SockProto.ip && proto !== (type === 'stream' ? SockProto.tcp : SockProto.udp)) throw new WasiError('protonosupport');
      const n = net();
      if (!n.host) throw new WasiError('notsup', 'this platform has no network (browsers)');
      const s = new NetSocketState(af === AddressFamily.inet4 ? 4 : 6, type, proto, n, n.host.waiter);
      return fds.insert(netSocketEntry(s, 0));
    },
    sock_bind(fd, addr) {
      const [e, s] = wasixSocket(fd);
      const { family, addr: a } = readSockAddr(m, addr);
      checkFamily(s, family);
      if (s.bound || s.current().kind !== 'pending') throw new WasiError('inval', 'the socket is already bound');
      mayListen(a);
      s.bound = a;
      // A datagram socket exists on the host from bind; a stream socket from listen or connect.
      if (s.type === 'datagram') {
        try {
          datagramOf(e, s);
        } catch (err) {
          s.bound = undefined;
          throw err;
        }
      }
    },
    sock_listen(fd, backlog) {
      const [, s] = wasixSocket(fd);
      if (s.type !== 'stream') throw new WasiError('notsup', 'a datagram socket does not listen');
      const cur = s.current();
      if (cur.kind === 'listener') return;
      if (cur.kind !== 'pending' || (cur.pending.op && !s.listening)) throw new WasiError('inval', 'the socket is connected or connecting');
      // Like Linux, listen on an unbound socket binds it to any address and a port the system picks.
      const at = s.bound ?? anyAddr(s);
      mayListen(at);
      s.listening = true;
      if (!cur.pending.op) {
        cur.pending.op = host(s).listen(at, Math.max(1, Math.min(backlog || 511, 4096)));
        cur.pending.opKind = 'listen';
      }
      try {
        const l = await_(cur.pending.op as HostOp<HostListener>, host(s).waiter, 10_000);
        s.set({ kind: 'listener', listener: l });
        s.bound = l.local;
      } catch (err) {
        if (err instanceof WasiError) {
          cur.pending.op = undefined;
          s.listening = false;
        }
        throw err;
      }
    },
    sock_accept_v2(fd, flags) {
      const e = socketOf(fd);
      if (e.socket.kind !== 'listener') throw new WasiError('inval', 'sock_accept_v2 on a socket that is not listening');
      fds.get(fd, R.sock_accept);
      if ((flags & ~Fdflags.nonblock) !== 0) throw new WasiError('inval', 'sock_accept_v2 takes only the nonblock flag');
      const l = e.socket.listener;
      const timeout = e.net?.timeoutMs(SockOption.accept_timeout) ?? Infinity;
      const deadline = callStartMs() + timeout;
      let conn = l.accept();
      while (!conn) {
        if (nonblocking(e)) throw WasiError.quiet('again');
        const left = deadline - performance.now();
        if (left <= 0) throw new WasiError('timedout');
        waitOn(l.waiter, left);
        conn = l.accept();
      }
      try {
        const newFd = fds.insert(connectionEntry(conn, flags & Fdflags.nonblock));
        const family = e.net?.family ?? (conn.remote ? familyOf(conn.remote.host) : 4);
        return [newFd, addrPortOf(conn.remote, family)];
      } catch (err) {
        conn.close();
        throw err;
      }
    },
    sock_connect(fd, addr) {
      const [e, s] = wasixSocket(fd);
      const { family, addr: a } = readSockAddr(m, addr);
      checkFamily(s, family);
      if (s.type === 'datagram') {
        // connect(2) on UDP: the default destination and the only source heard; bound first if it is not.
        mayConnect(a);
        const cur = s.current();
        const raw = cur.kind === 'connection' && 'raw' in cur.conn ? (cur.conn as ReturnType<typeof datagramConnection>).raw : datagramOf(e, s, true);
        s.set({ kind: 'connection', conn: datagramConnection(raw, a) });
        return;
      }
      const cur = s.current();
      if (cur.kind === 'connection') {
        // A blocking connect parked while its connection was made (threads): this retry is its answer.
        if (s.blockingConnect) {
          s.blockingConnect = false;
          return;
        }
        throw new WasiError('isconn');
      }
      if (cur.kind !== 'pending' || s.listening) throw new WasiError('inval', 'a listening socket does not connect');
      if (cur.pending.op) {
        // A connect under way: a nonblocking caller asking again is told so; a blocking one (or a parked
        // call retried) waits for it.
        if (nonblocking(e)) throw new WasiError('already');
      } else {
        mayConnect(a);
        cur.pending.failed = undefined;
        cur.pending.op = host(s).connect(a);
        cur.pending.opKind = 'connect';
        if (nonblocking(e)) throw new WasiError('inprogress');
        s.blockingConnect = true;
      }
      const op = cur.pending.op as HostOp<SocketConnection>;
      try {
        const c = await_(op, host(s).waiter, s.timeoutMs(SockOption.connect_timeout));
        s.set({ kind: 'connection', conn: c });
        s.blockingConnect = false;
      } catch (err) {
        if (err instanceof WasiError) {
          op.cancel();
          cur.pending.op = undefined;
          s.blockingConnect = false;
        }
        throw err;
      }
    },
    sock_status(fd) {
      const e = socketOf(fd);
      const cur = e.socket;
      if (cur.kind !== 'pending') return SockStatus.opened;
      if (cur.pending.failed) return SockStatus.failed;
      return SockStatus.opening;
    },
    sock_addr_local(fd) {
      const e = socketOf(fd);
      const cur = e.socket;
      if (cur.kind === 'connection' && cur.conn.local) return addrPortOf(cur.conn.local, e.net?.family ?? familyOf(cur.conn.local.host));
      const l = cur.kind === 'listener' ? (cur.listener as { local?: HostAddr; host?: string; port?: number }) : undefined;
      const local = l?.local ?? (l && typeof l.host === 'string' && typeof l.port === 'number' ? { host: l.host, port: l.port } : undefined);
      if (local) return addrPortOf(local, e.net?.family ?? familyOf(local.host));
      if (cur.kind === 'datagram') return addrPortOf(cur.dgram.local, e.net!.family);
      if (e.net) return addrPortOf(e.net.bound, e.net.family);
      // A socket pair has no address (socketpair(2) gives AF_UNIX with an empty path).
      return { tag: 'unspec', value: { port: 0, addr: { n0: 0 } } } satisfies AddrPort;
    },
    sock_addr_peer(fd) {
      const e = socketOf(fd);
      const cur = e.socket;
      if (cur.kind !== 'connection') throw new WasiError('notconn');
      if (!cur.conn.remote) return { tag: 'unspec', value: { port: 0, addr: { n0: 0 } } };
      return addrPortOf(cur.conn.remote, e.net?.family ?? familyOf(cur.conn.remote.host));
    },
    sock_set_opt_flag(fd, opt, flag) {
      const [e, s] = wasixSocket(fd);
      if (!FLAGS.has(opt)) throw new WasiError('inval', `${opt} is not a flag option`);
      const on = flag === 1;
      s.options.flags.set(opt, on);
      const cur = e.socket;
      if (cur.kind === 'connection' && (opt === SockOption.no_delay || opt === SockOption.keep_alive)) cur.conn.setOption?.(opt === SockOption.no_delay ? 'nodelay' : 'keepalive', on);
    },
    sock_get_opt_flag(fd, opt) {
      const [e, s] = wasixSocket(fd);
      if (opt === SockOption.listening) return e.socket.kind === 'listener' ? 1 : 0;
      if (!FLAGS.has(opt)) throw new WasiError('inval', `${opt} is not a flag option`);
      // Node makes its TCP sockets with nodelay on, and its servers with reuse_addr (libuv).
      const dflt = (opt === SockOption.no_delay && s.type === 'stream') || (opt === SockOption.reuse_addr && s.type === 'stream');
      return (s.options.flags.get(opt) ?? dflt) ? 1 : 0;
    },
    sock_set_opt_time(fd, opt, timeout) {
      const [, s] = wasixSocket(fd);
      if (!TIMES.has(opt)) throw new WasiError('inval', `${opt} is not a time option`);
      m.checkAligned(timeout, OPTION_TIMESTAMP.SIZE, OPTION_TIMESTAMP.ALIGN);
      const t: OptionTimestamp = readOptionTimestamp(m.view, timeout);
      if (t.tag === 'none') s.options.times.delete(opt);
      else s.options.times.set(opt, BigInt(t.value));
    },
    sock_get_opt_time(fd, opt) {
      const [, s] = wasixSocket(fd);
      if (!TIMES.has(opt)) throw new WasiError('inval', `${opt} is not a time option`);
      const v = s.options.times.get(opt);
      return v === undefined ? { tag: 'none', value: 0 } : { tag: 'some', value: v };
    },
    sock_set_opt_size(fd, opt, size) {
      const [, s] = wasixSocket(fd);
      if (!SIZES.has(opt)) throw new WasiError('inval', `${opt} is not a size option`);
      s.options.sizes.set(opt, size);
    },
    sock_get_opt_size(fd, opt) {
      const [, s] = wasixSocket(fd);
      if (!SIZES.has(opt)) throw new WasiError('inval', `${opt} is not a size option`);
      return s.options.sizes.get(opt) ?? (opt === SockOption.ttl ? 64n : 0n);
    },
    sock_send_to(fd, siData, siDataLen, _siFlags, addr) {
      const [e, s] = wasixSocket(fd);
      if (s.type !== 'datagram') {
        // On a stream socket the address is ignored, as Linux does for a connected one.
        const cur = e.socket;
        if (cur.kind !== 'connection') throw new WasiError('notconn');
        const bytes = gather(siData, siDataLen);
        if (bytes.length > 0) sendOn(cur.conn, bytes, nonblocking(e), s.timeoutMs(SockOption.send_timeout));
        return bytes.length;
      }
      const { family, addr: a } = readSockAddr(m, addr);
      checkFamily(s, family);
      const bytes = gather(siData, siDataLen);
      if (bytes.length > 65507) throw new WasiError('msgsize');
      mayConnect(a);
      datagramOf(e, s, true).send(bytes, a);
      return bytes.length;
    },
    sock_recv_from(fd, riData, riDataLen, riFlags) {
      const [e, s] = wasixSocket(fd);
      if (s.type !== 'datagram') throw new WasiError('notsup', 'sock_recv_from on a stream socket: use sock_recv');
      const spans: [number, number][] = [];
      for (let i = 0; i < riDataLen; i++) {
        const at = riData + i * IOVEC.SIZE;
        const p = m.view.getUint32(at + IOVEC.buf, true);
        const len = m.view.getUint32(at + IOVEC.buf_len, true);
        m.check(p, len);
        spans.push([p, len]);
      }
      const d = datagramOf(e, s);
      const deadline = callStartMs() + s.timeoutMs(SockOption.recv_timeout);
      const peek = (riFlags & Riflags.recv_peek) !== 0;
      let got = d.receive(!peek);
      while (!got) {
        const st = d.state();
        if (st.error) throw new WasiError(st.error);
        if (nonblocking(e)) throw WasiError.quiet('again');
        const left = deadline - performance.now();
        if (left <= 0) throw WasiError.quiet('again');
        waitOn(d.waiter, left);
        got = d.receive(!peek);
      }
      let at = 0;
      for (const [p, len] of spans) {
        const part = got.bytes.subarray(at, at + len);
        m.u8.set(part, p);
        at += part.length;
      }
      // A datagram longer than the buffers is truncated, and says so (Linux MSG_TRUNC).
      const truncated = got.bytes.length > at ? 1 : 0;
      return [at, truncated, addrPortOf(got.from, s.family)];
    },
    sock_send_file(outFd, inFd, offset, count) {
      const out = socketOf(outFd, R.fd_write);
      const cur = out.socket;
      if (cur.kind !== 'connection') throw new WasiError('notconn');
      const src = fds.get(inFd, R.fd_read);
      if (src.kind !== 'fs' || src.isDir) throw new WasiError('inval', 'sock_send_file reads from a regular file');
      // Linux's sendfile with an offset reads from there and leaves the file's position alone.
      const chunk = new Uint8Array(64 * 1024);
      let sent = 0n;
      while (sent < count) {
        const want = Number(count - sent < BigInt(chunk.length) ? count - sent : BigInt(chunk.length));
        // Nonblocking with the send buffer full: what went so far, or again when nothing did.
        if (sent > 0n && nonblocking(out) && (cur.conn.sendRoom?.() ?? 1) <= 0) break;
        const n = src.fs.pread(src.handle, chunk.subarray(0, want), offset + sent);
        if (n === 0) break;
        sendOn(cur.conn, chunk.subarray(0, n), nonblocking(out), out.net?.timeoutMs(SockOption.send_timeout));
        sent += BigInt(n);
      }
      return sent;
    },
    resolve(name, port, addrs, naddrs) {
      const n = net();
      const hostName = name.toLowerCase();
      if (!resolvable(n.grants.connect, hostName)) throw new WasiError('acces', `resolving ${name} is not granted (options.network.connect)`);
      void port;
      m.checkAligned(addrs, naddrs * ADDR_IP.SIZE, ADDR_IP.ALIGN);
      const literal = normalizeIp(hostName);
      let ips: string[];
      if (literal) ips = [literal];
      else {
        if (!n.host) throw new WasiError('notsup', 'this platform has no network');
        let op = n.resolving.get(hostName);
        if (!op) n.resolving.set(hostName, (op = n.host.resolve(hostName)));
        try {
          ips = await_(op, n.host.waiter, 10_000);
        } finally {
          if (op.poll()) n.resolving.delete(hostName);
        }
      }
      const list = [...new Set(ips.map((ip) => normalizeIp(ip) ?? ip))];
      for (const ip of list) {
        const names = n.names.get(ip) ?? new Set<string>();
        names.add(hostName);
        n.names.set(ip, names);
      }
      list.slice(0, naddrs).forEach((ip, i) => writeAddrIp(m, addrs + i * ADDR_IP.SIZE, ip));
      return Math.min(list.length, naddrs);
    },
  };
}
