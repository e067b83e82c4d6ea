import { describe, expect, it } from 'vitest';
import { createSocketPair } from '../../src/sockets/pair.js';
import type { SocketConnection, SocketListener } from '../../src/sockets/types.js';
import { ERRNO, FDFLAGS, FILETYPE, boundWasi } from '../runtime/harness.js';

// Each test checks what the guest sees (errnos, bytes in its memory) and what its peer receives,
// over a real in-memory connection (a socket pair: one end accepted by the guest, the other the
// test's peer), never a fake's record of which methods were called.

/** A waiter that must not be waited on: a wait surfaces to the guest's caller as a host error. */
const mustNotWait = { wait: () => { throw new Error('waited'); } };

/** A connection for the guest to accept, and the peer end the test talks through. */
function connection() {
  const [guestEnd, peer] = createSocketPair(mustNotWait);
  const dec = new TextDecoder();
  return {
    conn: guestEnd,
    send: (text: string) => peer.send(new TextEncoder().encode(text)),
    /** Everything the guest sent so far. */
    received: () => dec.decode(peer.take(1 << 16, true)),
    /** Whether the guest's side has stopped sending (shut down writing, or closed). */
    ended: () => peer.state().ended,
    /** The peer stops sending: the guest reads the end of the stream after what was sent. */
    endByPeer: () => peer.shutdown({ read: false, write: true }),
  };
}

function listenerOf(conns: SocketConnection[], waiter: SocketListener['waiter'] = mustNotWait): SocketListener {
  return { waiter, accept: () => conns.shift(), pending: () => conns.length, close: () => {} };
}

const SOCK = 3;

describe('sock_* on preopened sockets (in-memory listener)', () => {
  it('accepts, receives with peek and iovecs, sends, shuts down and closes', async () => {
    const c = connection();
    c.send('hello world');
    c.endByPeer();
    const w = await boundWasi({ preopenSockets: [listenerOf([c.conn])] });
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
    expect(c.received()).toBe('reply');
    expect(w.call('sock_shutdown', fd, 0)).toBe(ERRNO.inval);
    expect(c.ended()).toBe(false);
    expect(w.call('sock_shutdown', fd, 2)).toBe(0); // wr
    expect(c.ended()).toBe(true);
    expect(w.write(fd, 'late')[0]).toBe(ERRNO.pipe); // no sending after shutting down writing
    expect(c.received()).toBe('');
    expect(w.call('fd_close', fd)).toBe(0);
    expect(w.call('sock_recv', fd, 400, 2, 0, 500, 504)).toBe(ERRNO.badf);
    expect(w.call('fd_close', SOCK)).toBe(0);
    expect(w.call('sock_accept', SOCK, 0, 100)).toBe(ERRNO.badf);
  });

  it('answers misuse with the errnos of the spec', async () => {
    const w = await boundWasi({ preopenSockets: [listenerOf([])], stdin: '' });
    expect(w.call('sock_accept', 0, 0, 100)).toBe(ERRNO.notsock);
    expect(w.call('sock_accept', 42, 0, 100)).toBe(ERRNO.badf);
    expect(w.call('sock_recv', SOCK, 400, 0, 0, 500, 504)).toBe(ERRNO.notconn);
    expect(w.call('sock_send', 1, 400, 0, 0, 500)).toBe(ERRNO.notsock);
    expect(w.call('fd_fdstat_set_flags', SOCK, FDFLAGS.nonblock!)).toBe(0);
    // Non-blocking: again at once (the listener's waiter throws if it is waited on).
    expect(w.call('sock_accept', SOCK, 0, 100)).toBe(ERRNO.again);
  });

  it('blocks in sock_accept until a connection is pending, and hands the guest that connection', async () => {
    const conns: SocketConnection[] = [];
    const c = connection();
    // The connection arrives while the guest waits.
    const w = await boundWasi({ preopenSockets: [listenerOf(conns, { wait: () => void (c.send('arrived'), conns.push(c.conn)) })] });
    expect(w.call('sock_accept', SOCK, 0, 100)).toBe(0);
    const fd = w.view().getUint32(100, true);
    w.view().setUint32(400, 200, true);
    w.view().setUint32(404, 64, true);
    expect(w.call('sock_recv', fd, 400, 1, 0, 500, 504)).toBe(0);
    expect(new TextDecoder().decode(w.u8().slice(200, 200 + w.view().getUint32(500, true)))).toBe('arrived');
  });

  it('reports a pending connection to poll_oneoff and a listener as never writable', async () => {
    const w = await boundWasi({ preopenSockets: [listenerOf([connection().conn])] });
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
