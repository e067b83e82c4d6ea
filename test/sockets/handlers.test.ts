import { describe, expect, it } from 'vitest';
import type { SocketConnection, SocketListener } from '../../src/sockets/types.js';
import { ERRNO, FDFLAGS, FILETYPE, boundWasi } from '../runtime/harness.js';

/** An in-memory connection: `incoming` is what the peer sent, `sent` what the guest sent. */
function fakeConnection(incoming: string, ended = true) {
  let buf = new TextEncoder().encode(incoming);
  const sent: string[] = [];
  const log: string[] = [];
  const conn: SocketConnection = {
    waiter: { wait: () => log.push('wait') },
    state: () => ({ buffered: buf.length, ended, error: undefined }),
    take(n, consume) {
      const out = buf.slice(0, n);
      if (consume) buf = buf.slice(out.length);
      return out;
    },
    send: (b) => void sent.push(new TextDecoder().decode(b)),
    shutdown: (how) => void log.push(`shutdown ${how.read ? 'r' : ''}${how.write ? 'w' : ''}`),
    close: () => void log.push('close'),
  };
  return { conn, sent, log };
}

function fakeListener(conns: SocketConnection[]) {
  const log: string[] = [];
  const listener: SocketListener = {
    waiter: { wait: () => log.push('wait') },
    accept: () => conns.shift(),
    pending: () => conns.length,
    close: () => void log.push('close'),
  };
  return { listener, log };
}

const SOCK = 3;

describe('sock_* on preopened sockets (in-memory listener)', () => {
  it('accepts, receives with peek and iovecs, sends, shuts down and closes', async () => {
    const c = fakeConnection('hello world');
    const l = fakeListener([c.conn]);
    const w = await boundWasi({ preopenSockets: [l.listener] });
    const v = w.view();
    expect(w.fdstat(SOCK)).toMatchObject({ errno: 0, filetype: FILETYPE.socket_stream });
    expect(w.call('sock_accept', SOCK, 0xff, 100)).toBe(ERRNO.inval); // only nonblock is a valid flag
    expect(w.call('sock_accept', SOCK, FDFLAGS.nonblock!, 100)).toBe(0);
    const fd = v.getUint32(100, true);
    expect(w.fdstat(fd)).toMatchObject({ filetype: FILETYPE.socket_stream, flags: FDFLAGS.nonblock });
    // Two iovecs of 5 and 3 bytes at 200 and 300, peeked first.
    v.setUint32(400, 200, true);
    v.setUint32(404, 5, true);
    v.setUint32(408, 300, true);
    v.setUint32(412, 3, true);
    const text = (at: number, n: number) => new TextDecoder().decode(w.u8().slice(at, at + n));
    expect(w.call('sock_recv', fd, 400, 2, 1, 500, 504)).toBe(0);
    expect([v.getUint32(500, true), text(200, 5), text(300, 3)]).toEqual([8, 'hello', ' wo']);
    expect(w.call('sock_recv', fd, 400, 2, 0, 500, 504)).toBe(0);
    expect(w.call('sock_recv', fd, 400, 2, 0, 500, 504)).toBe(0);
    expect([v.getUint32(500, true), text(200, 3)]).toEqual([3, 'rld']);
    expect(w.call('sock_recv', fd, 400, 2, 0, 500, 504)).toBe(0);
    expect(v.getUint32(500, true)).toBe(0); // the peer ended
    expect(w.write(fd, 'reply')).toEqual([0, 5]); // fd_write is send
    expect(c.sent).toEqual(['reply']);
    expect(w.call('sock_shutdown', fd, 0)).toBe(ERRNO.inval);
    expect(w.call('sock_shutdown', fd, 2)).toBe(0);
    expect(w.call('fd_close', fd)).toBe(0);
    expect(c.log).toEqual(['shutdown w', 'close']);
    expect(w.call('fd_close', SOCK)).toBe(0);
    expect(l.log).toEqual(['close']);
  });

  it('answers misuse with the errnos of the spec', async () => {
    const l = fakeListener([]);
    const w = await boundWasi({ preopenSockets: [l.listener], stdin: '' });
    expect(w.call('sock_accept', 0, 0, 100)).toBe(ERRNO.notsock);
    expect(w.call('sock_accept', 42, 0, 100)).toBe(ERRNO.badf);
    expect(w.call('sock_recv', SOCK, 400, 0, 0, 500, 504)).toBe(ERRNO.notconn);
    expect(w.call('sock_send', 1, 400, 0, 0, 500)).toBe(ERRNO.notsock);
    expect(w.call('fd_fdstat_set_flags', SOCK, FDFLAGS.nonblock!)).toBe(0);
    expect(w.call('sock_accept', SOCK, 0, 100)).toBe(ERRNO.again);
    expect(l.log).toEqual([]); // non-blocking: no wait
  });

  it('blocks in sock_accept on the listener waiter until a connection is pending', async () => {
    const conns: SocketConnection[] = [];
    const l = fakeListener(conns);
    const c = fakeConnection('');
    l.listener.waiter.wait = () => void (l.log.push('wait'), conns.push(c.conn));
    const w = await boundWasi({ preopenSockets: [l.listener] });
    expect(w.call('sock_accept', SOCK, 0, 100)).toBe(0);
    expect(l.log).toEqual(['wait']);
  });

  it('reports a pending connection to poll_oneoff and a listener as never writable', async () => {
    const l = fakeListener([fakeConnection('').conn]);
    const w = await boundWasi({ preopenSockets: [l.listener] });
    const v = w.view();
    // Two fd subscriptions (48 bytes each) at 1024: fd_read and fd_write on the listener.
    for (const [i, type] of [[0, 1], [1, 2]] as const) {
      const at = 1024 + i * 48;
      v.setBigUint64(at, BigInt(i + 7), true);
      v.setUint8(at + 8, type);
      v.setUint32(at + 16, SOCK, true);
    }
    expect(w.call('poll_oneoff', 1024, 2048, 2, 3000)).toBe(0);
    expect(v.getUint32(3000, true)).toBe(2);
    const events = [0, 1].map((i) => ({ userdata: v.getBigUint64(2048 + i * 32, true), error: v.getUint16(2048 + i * 32 + 8, true), nbytes: v.getBigUint64(2048 + i * 32 + 16, true) }));
    expect(events).toEqual([
      { userdata: 7n, error: 0, nbytes: 1n },
      { userdata: 8n, error: ERRNO.inval, nbytes: 0n },
    ]);
  });
});
