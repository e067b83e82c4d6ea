import { concatBytes } from '../concat-bytes.js';
import type { VirtualDuplex } from './virtual-network.js';

// An HTTP/1.1 client over one virtual connection, for a page to reach a guest's server: the request
// is sent with `Connection: close` (RFC 9112 §9.6), its body with Content-Length; the response's body
// is delimited as RFC 9112 §6.3 says: none for HEAD, 1xx, 204 and 304, else chunked, else
// Content-Length, else the end of the connection.

const CRLF2 = new Uint8Array([13, 10, 13, 10]);
const enc = new TextEncoder();

/** Reads a duplex's readable side with look-ahead (a buffer grown by doubling, so reading is linear). */
class Reader {
  #store = new Uint8Array(4096);
  #start = 0;
  #end = 0;
  #ended = false;
  constructor(readonly r: ReadableStreamDefaultReader<Uint8Array>) {}
  get #buf(): Uint8Array {
    return this.#store.subarray(this.#start, this.#end);
  }
  /** Reads more; false at the end. */
  async more(): Promise<boolean> {
    if (this.#ended) return false;
    const { value, done } = await this.r.read();
    if (done) {
      this.#ended = true;
      return false;
    }
    const held = this.#end - this.#start;
    if (this.#end + value.length > this.#store.length) {
      const store = held + value.length > this.#store.length / 2 ? new Uint8Array(Math.max(this.#store.length * 2, held + value.length)) : this.#store;
      store.set(this.#store.subarray(this.#start, this.#end));
      this.#store = store;
      this.#start = 0;
      this.#end = held;
    }
    this.#store.set(value, this.#end);
    this.#end += value.length;
    return true;
  }
  /** Bytes up to and including `delim`, or undefined if the stream ends first. */
  async until(delim: Uint8Array): Promise<Uint8Array | undefined> {
    for (let from = 0; ; ) {
      const at = indexOf(this.#buf, delim, from);
      if (at >= 0) return this.take(at + delim.length);
      from = Math.max(0, this.#end - this.#start - delim.length + 1);
      if (!(await this.more())) return undefined;
    }
  }
  /** Exactly `n` bytes, or undefined if the stream ends first. */
  async exactly(n: number): Promise<Uint8Array | undefined> {
    while (this.#end - this.#start < n) if (!(await this.more())) return undefined;
    return this.take(n);
  }
  /** Everything to the end of the stream. */
  async rest(): Promise<Uint8Array> {
    while (await this.more());
    return this.take(this.#end - this.#start);
  }
  take(n: number): Uint8Array {
    const out = this.#store.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const malformed = (why: string) => new TypeError(`fetch failed: the guest's HTTP response is malformed (${why})`);

/** Sends `request` over `conn` and reads the response (the connection is closed after it). */
export async function fetchOver(conn: VirtualDuplex, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : new Uint8Array(await request.arrayBuffer());
  let head = `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  request.headers.forEach((v, k) => {
    if (k !== 'host' && k !== 'connection' && k !== 'content-length' && k !== 'transfer-encoding') head += `${k}: ${v}\r\n`;
  });
  if (body) head += `Content-Length: ${body.length}\r\n`;
  head += 'Connection: close\r\n\r\n';
  const w = conn.writable.getWriter();
  const reader = new Reader(conn.readable.getReader());
  try {
    await w.write(enc.encode(head));
    if (body && body.length > 0) await w.write(body);
    for (;;) {
      const h = await reader.until(CRLF2);
      if (!h) throw malformed('the connection ended before the response head');
      const lines = new TextDecoder('latin1').decode(h).slice(0, -4).split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]!);
      if (!m) throw malformed(`status line ${JSON.stringify(lines[0])}`);
      const status = Number(m[1]);
      if (status >= 100 && status < 200) continue; // interim (100 Continue): the real response follows
      const headers = new Headers();
      for (const line of lines.slice(1)) {
        const c = line.indexOf(':');
        if (c <= 0) throw malformed(`header ${JSON.stringify(line)}`);
        headers.append(line.slice(0, c).trim(), line.slice(c + 1).trim());
      }
      let payload: Uint8Array | null;
      if (request.method === 'HEAD' || status === 204 || status === 304) payload = null;
      else if (/(^|,)\s*chunked\s*$/i.test(headers.get('transfer-encoding') ?? '')) payload = await chunked(reader);
      else if (headers.has('content-length')) {
        const n = Number(headers.get('content-length'));
        if (!Number.isSafeInteger(n) || n < 0) throw malformed('Content-Length');
        payload = (await reader.exactly(n)) ?? null;
        if (!payload) throw malformed('the connection ended inside the body');
      } else payload = await reader.rest();
      if (status < 200 || status > 599) throw malformed(`status ${status}`);
      return new Response(payload as BodyInit | null, { status, statusText: m[2] ?? '', headers });
    }
  } finally {
    await w.close().catch(() => {});
    await reader.r.cancel().catch(() => {});
  }
}

async function chunked(reader: Reader): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const CRLF = CRLF2.subarray(2);
  for (;;) {
    const line = await reader.until(CRLF);
    if (!line) throw malformed('the connection ended inside a chunk');
    const size = parseInt(new TextDecoder().decode(line).split(';')[0]!.trim(), 16);
    if (!Number.isSafeInteger(size) || size < 0) throw malformed('chunk size');
    if (size === 0) {
      // Trailers, up to an empty line.
      for (;;) {
        const t = await reader.until(CRLF);
        if (!t || t.length === 2) break;
      }
      break;
    }
    const data = await reader.exactly(size + 2);
    if (!data) throw malformed('the connection ended inside a chunk');
    parts.push(data.subarray(0, size));
  }
  return concatBytes(parts);
}
