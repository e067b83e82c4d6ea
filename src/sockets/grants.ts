import { WasiOptionError } from '../errors.js';
import type { HostNetwork } from './types.js';
import { VirtualNetwork } from './virtual-network.js';

// Network grants: a guest has no network unless the embedder grants it, per direction (listen:
// bind/listen; connect: connect, send_to, resolve), as host/port patterns. A call outside them
// fails with `acces`, what Linux gives when a security module (or an iptables owner rule) refuses a
// socket call, before anything is opened, and resolve answers `acces` for a name no grant covers
// without asking DNS, so it cannot be used to probe hosts outside the grants.

/**
 * What a guest may reach: `options.network`. Each pattern is `host:port`: host an IPv4 literal, an
 * IPv6 literal in brackets, a host name (connect: the addresses it resolves to), `localhost` (127.0.0.1
 * and ::1) or `*` (any); port a number, a range `8000-8100` or `*`.
 */
export interface NetworkOptions {
  /** Addresses the guest may bind and listen on. */
  listen?: readonly string[];
  /** Addresses the guest may connect and send datagrams to, and the names it may resolve. */
  connect?: readonly string[];
  /**
   * A {@link VirtualNetwork} the guest's sockets use instead of the host's (the only network in a
   * browser): guests given the same object reach each other; the grants still apply.
   */
  virtual?: VirtualNetwork;
}

/** One parsed pattern. */
export interface NetGrant {
  /** A normalized IP literal, a lower-case host name, or `*`. */
  readonly host: string;
  readonly lo: number;
  readonly hi: number;
}

export interface NetworkGrants {
  readonly listen: readonly NetGrant[];
  readonly connect: readonly NetGrant[];
  /** The network given as `options.network.virtual`, if any. */
  readonly virtual?: HostNetwork;
}

/** Nothing granted. */
export const NO_NETWORK: NetworkGrants = { listen: [], connect: [] };

/** Everything granted (`--net-allow-all`). */
export const ALL_NETWORK: NetworkOptions = { listen: ['*:*'], connect: ['*:*'] };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The 16 bytes of an IPv6 literal (`::` and an embedded IPv4 tail allowed), or undefined. */
export function parseIpv6(s: string): Uint8Array | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (i === items.length - 1 && IPV4.test(it)) {
        const b = it.split('.').map(Number);
        out.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
      } else if (/^[0-9a-f]{1,4}$/i.test(it)) out.push(parseInt(it, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** The canonical text of an IP literal (`::ffff:1.2.3.4` as `1.2.3.4`), or undefined when `s` is none. */
export function normalizeIp(s: string): string | undefined {
  if (IPV4.test(s)) return s;
  const b = parseIpv6(s);
  if (!b) return undefined;
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const g = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  // RFC 5952: the longest run of two or more zero groups becomes `::`.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function parsePattern(p: unknown, option: string): NetGrant[] {
  if (typeof p !== 'string') throw new WasiOptionError('ERR_INVALID_ARG_TYPE', option, `The "${option}" element must be of type string. Received type ${typeof p}`);
  const bad = (why: string): never => {
    throw new WasiOptionError('ERR_INVALID_ARG_VALUE', option, `The "${option}" element must be host:port (${why}). Received '${p}'`);
  };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\*|\d{1,5}(?:-\d{1,5})?)$/.exec(p.trim());
  if (!m) return bad('an IPv6 host goes in brackets, the port is a number, a range or *');
  const rawHost = (m[1] ?? m[2]!).toLowerCase();
  let lo = 0;
  let hi = 65535;
  if (m[3] !== '*') {
    const [a, b = a] = m[3]!.split('-').map(Number) as [number, number?];
    if (a < 1 || b! > 65535 || a > b!) bad('ports are 1-65535, the range low-high');
    [lo, hi] = [a, b!];
  }
  if (rawHost === '*') return [{ host: '*', lo, hi }];
  if (rawHost === 'localhost') return [{ host: '127.0.0.1', lo, hi }, { host: '::1', lo, hi }, { host: 'localhost', lo, hi }];
  const ip = normalizeIp(rawHost);
  if (m[1] !== undefined && (!ip || IPV4.test(rawHost))) bad('brackets hold an IPv6 address');
  if (ip) return [{ host: ip, lo, hi }];
  if (!HOSTNAME.test(rawHost)) bad('the host is an IP address, a host name, localhost or *');
  return [{ host: rawHost, lo, hi }];
}

/** Validates `options.network` (throwing a WasiOptionError naming the option) and parses it. */
export function parseNetworkOptions(v: unknown): NetworkGrants {
  if (v === undefined) return NO_NETWORK;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new WasiOptionError('ERR_INVALID_ARG_TYPE', 'options.network', `The "options.network" property must be of type object. Received ${v === null ? 'null' : Array.isArray(v) ? 'an array' : `type ${typeof v}`}`);
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 'listen' && k !== 'connect' && k !== 'virtual') throw new WasiOptionError('ERR_INVALID_ARG_VALUE', `options.network.${k}`, `options.network has only "listen", "connect" and "virtual". Received "${k}"`);
  }
  if (o.virtual !== undefined && !(o.virtual instanceof VirtualNetwork)) {
    throw new WasiOptionError('ERR_INVALID_ARG_TYPE', 'options.network.virtual', 'The "options.network.virtual" property must be an instance of VirtualNetwork');
  }
  const list = (name: 'listen' | 'connect'): NetGrant[] => {
    const l = o[name];
    if (l === undefined) return [];
    if (!Array.isArray(l)) throw new WasiOptionError('ERR_INVALID_ARG_TYPE', `options.network.${name}`, `The "options.network.${name}" property must be an array of strings`);
    return l.flatMap((p, i) => parsePattern(p, `options.network.${name}[${i}]`));
  };
  const grants = { listen: list('listen'), connect: list('connect') };
  return o.virtual ? { ...grants, virtual: o.virtual.host } : grants;
}

/** Whether `ip` (an IP literal as Node prints it) and `port` fall in one of `grants`; `names` are the host names `ip` was resolved from. */
export function granted(grants: readonly NetGrant[], ip: string, port: number, names: ReadonlySet<string> = new Set()): boolean {
  const addr = normalizeIp(ip) ?? ip;
  return grants.some((g) => port >= g.lo && port <= g.hi && (g.host === '*' || g.host === addr || names.has(g.host)));
}

/** Whether a connect grant names `host` (or any host), so that resolving it reveals nothing else. */
export function resolvable(grants: readonly NetGrant[], host: string): boolean {
  const h = host.toLowerCase();
  const ip = normalizeIp(h);
  return grants.some((g) => g.host === '*' || g.host === h || (ip !== undefined && g.host === ip));
}
