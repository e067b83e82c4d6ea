import { Fdflags, Filetype } from '../../generated/preview1/types.js';
import { SockOption, type AddrPort } from '../../generated/wasix/types.js';
import { WasiError } from '../abi/wasi-error.js';
import type { GuestMemory } from '../abi/memory.js';
import type { NewFd } from '../kernel/fd-table.js';
import type { SocketFile } from '../kernel/open-file.js';
import { R } from '../rights.js';
import type { Waiter } from '../stdio.js';
import { connectionSource, sendOn } from './entries.js';
import { normalizeIp, parseIpv6, type NetworkGrants } from './grants.js';
import type { GuestSocket, HostAddr, HostNetwork, HostOp, SocketConnection } from './types.js';

// A socket the guest opened with WASIX `sock_open`: what socket(2) makes, before and after bind,
// listen and connect. The open file's `socket` is read through `current()`, so a nonblocking connect
// that has since completed is a connection to every caller (sock_send, fd_write, poll_oneoff) without
// any of them asking.

/** What a process's sockets share: the host's network, the grants, and the names resolve answered. */
export interface ProcessNetwork {
  readonly host: HostNetwork | undefined;
  readonly grants: NetworkGrants;
  /** IP address -> the host names resolve gave it for, so a connect grant by name admits that address. */
  readonly names: Map<string, Set<string>>;
  /** Resolutions under way, found again when a parked resolve is retried. */
  readonly resolving: Map<string, HostOp<string[]>>;
}

export type SocketKind = 'stream' | 'datagram';

/** Options as `sock_set_opt_*` keep them; times in nanoseconds. */
export interface SocketOptions {
  flags: Map<number, boolean>;
  sizes: Map<number, bigint>;
  times: Map<number, bigint>;
}

export class NetSocketState {
  #socket: GuestSocket = { kind: 'pending', pending: {} };
  /** The address given to sock_bind (before the host has opened anything for a stream socket). */
  bound: HostAddr | undefined;
  /** sock_listen was called (its listen may still be under way). */
  listening = false;
  /** A blocking connect is under way (see sock_connect: a parked call's retry). */
  blockingConnect = false;
  readonly options: SocketOptions = { flags: new Map(), sizes: new Map(), times: new Map() };

  constructor(
    readonly family: 4 | 6,
    readonly type: SocketKind,
    readonly proto: number,
    readonly network: ProcessNetwork,
    readonly waiter: Waiter,
  ) {}

  /** The socket now: a finished connect becomes a connection, a failed one is remembered. */
  current(): GuestSocket {
    const s = this.#socket;
    if (s.kind !== 'pending' || !s.pending.op || s.pending.opKind !== 'connect') return s;
    const r = s.pending.op.poll();
    if (!r) return s;
    if ('errno' in r) {
      s.pending.op = undefined;
      s.pending.failed = r.errno;
      return s;
    }
    this.#socket = { kind: 'connection', conn: r.ok as SocketConnection };
    return this.#socket;
  }

  set(s: GuestSocket): void {
    this.#socket = s;
  }

  /** A timeout set with sock_set_opt_time, in ms (Infinity when none). */
  timeoutMs(opt: number): number {
    const ns = this.options.times.get(opt);
    return ns === undefined || ns === 0n ? Infinity : Number(ns) / 1e6;
  }
}

export const WASIX_SOCKET_RIGHTS = (R.fd_read | R.fd_write | R.poll_fd_readwrite | R.sock_shutdown | R.sock_accept | R.fd_fdstat_set_flags | R.fd_filestat_get) >>> 0;

/** The fd of a new WASIX socket; fd_read and fd_write act on it once it is connected. */
export function netSocketEntry(net: NetSocketState, fdflags: number): NewFd {
  const conn = (): SocketConnection => {
    const s = net.current();
    if (s.kind !== 'connection') throw new WasiError('notconn', 'the socket is not connected');
    return s.conn;
  };
  const nonblocking = () => (file.fdflags & Fdflags.nonblock) !== 0;
  const file: SocketFile = {
    kind: 'socket',
    filetype: net.type === 'stream' ? Filetype.socket_stream : Filetype.socket_dgram,
    fdflags,
    net,
    get socket() {
      return net.current();
    },
    set socket(s: GuestSocket) {
      net.set(s);
    },
    source: {
      read: (into) => connectionSource(conn(), nonblocking).read(into),
      waiter: net.waiter,
    },
    sink: { write: (bytes) => sendOn(conn(), bytes, nonblocking(), net.timeoutMs(SockOption.send_timeout)) },
  };
  return { file, rightsBase: WASIX_SOCKET_RIGHTS, rightsInheriting: WASIX_SOCKET_RIGHTS };
}

/** The family tag of `$addr_port` and `$addr_ip` (`$address_family`). */
const INET4 = 1;
const INET6 = 2;

/**
 * Reads an `$addr_port` the guest points at. Wasmer's layout (lib/wasix/src/net/mod.rs read_ip_port):
 * the family tag at 0, the port at 2 in the guest's byte order, the address octets in network order from 4.
 */
export function readSockAddr(m: GuestMemory, ptr: number): { family: number; addr: HostAddr } {
  m.check(ptr, 4);
  const family = m.view.getUint8(ptr);
  const port = m.view.getUint16(ptr + 2, true);
  if (family === INET4) {
    m.check(ptr, 8);
    return { family: 4, addr: { host: Array.from(m.u8.subarray(ptr + 4, ptr + 8)).join('.'), port } };
  }
  if (family === INET6) {
    m.check(ptr, 20);
    const o = m.u8.subarray(ptr + 4, ptr + 20);
    const groups = Array.from({ length: 8 }, (_, i) => ((o[2 * i]! << 8) | o[2 * i + 1]!).toString(16));
    return { family: 6, addr: { host: normalizeIp(groups.join(':'))!, port } };
  }
  // unspec and unix: families these sockets do not speak.
  if (family <= 3) throw new WasiError('afnosupport', `address family ${family}`);
  throw new WasiError('inval', `invalid addr_port tag ${family}`);
}

/** The octets of an IP address as text (IPv4-mapped IPv6 addresses as IPv6 for an IPv6 socket). */
export function ipOctets(host: string, family: 4 | 6): Uint8Array {
  const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host.split('.').map(Number) : undefined;
  if (family === 4) return Uint8Array.from(v4 ?? [0, 0, 0, 0]);
  if (v4) return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]);
  return parseIpv6(host.replace(/%.*$/, '')) ?? new Uint8Array(16);
}

/** An address as the generated writer of `$addr_port` takes it (fields hold the octets as laid out in memory). */
export function addrPortOf(a: HostAddr | undefined, family: 4 | 6): AddrPort {
  const o = ipOctets(a?.host ?? (family === 4 ? '0.0.0.0' : '::'), family);
  const port = a?.port ?? 0;
  if (family === 4) return { tag: 'inet4', value: { port, addr: { n0: o[0]!, n1: o[1]!, h0: o[2]!, h1: o[3]! } } };
  const w = (i: number) => o[2 * i]! | (o[2 * i + 1]! << 8);
  return {
    tag: 'inet6',
    value: { port, addr: { n0: w(0), n1: w(1), n2: w(2), n3: w(3), h0: w(4), h1: w(5), h2: w(6), h3: w(7), flow_info1: 0, flow_info0: 0, scope_id1: 0, scope_id0: 0 } },
  };
}

/** The family of an address Node printed. */
export const familyOf = (host: string): 4 | 6 => (host.includes(':') ? 6 : 4);

/** Writes an `$addr_ip` (resolve's entries): tag at 0, octets from 2. */
export function writeAddrIp(m: GuestMemory, ptr: number, host: string): void {
  const family = familyOf(host);
  const o = ipOctets(host, family);
  m.view.setUint8(ptr, family === 4 ? INET4 : INET6);
  m.view.setUint8(ptr + 1, 0);
  m.u8.set(o, ptr + 2);
}
