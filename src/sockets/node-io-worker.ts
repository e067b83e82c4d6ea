/**
 * The source of the Node I/O worker (run with `new Worker(source, { eval: true })`, so it loads the
 * same way from `src/` under tsx and from `dist/`). It owns the asynchronous side, net servers and
 * sockets and stdin streams, and forwards every event to the guest's thread: a message on the port,
 * then a bump of the shared cell so a guest blocked in Atomics.wait wakes and drains the port with
 * receiveMessageOnPort. Commands come back on the same port.
 */
export const IO_WORKER_SOURCE = String.raw`
'use strict';
const { workerData } = require('node:worker_threads');
const net = require('node:net');
const dgram = require('node:dgram');
const dns = require('node:dns');
const fs = require('node:fs');
const tty = require('node:tty');
const { port, cell } = workerData;
const wake = new Int32Array(cell);
const live = new Map();
// Sockets the guest closed whose queued bytes are still going out, and the lingers waiting on them.
const closing = new Set();
const lingers = [];
// Ids the worker gives accepted connections; the guest side numbers its own requests from 1.
let nextId = 0x40000000;

function post(msg, transfer) {
  port.postMessage(msg, transfer || []);
  Atomics.add(wake, 0, 1);
  Atomics.notify(wake, 0);
}

function wire(id, stream) {
  live.set(id, stream);
  stream.on('data', (chunk) => {
    const bytes = new Uint8Array(chunk);
    post({ t: 'data', id, bytes }, [bytes.buffer]);
  });
  stream.on('end', () => post({ t: 'end', id }));
  stream.on('error', (e) => post({ t: 'error', id, code: e.code || 'EIO' }));
  stream.on('close', () => {
    live.delete(id);
    post({ t: 'end', id });
  });
}

function openInput(fd) {
  const st = fs.fstatSync(fd);
  if (st.isFIFO() || st.isSocket()) return new net.Socket({ fd, readable: true, writable: false });
  if (tty.isatty(fd)) return new tty.ReadStream(fd);
  return fs.createReadStream('', { fd, autoClose: false });
}

const commands = {
  listen(m) {
    const server = net.createServer({ allowHalfOpen: true });
    live.set(m.id, server);
    server.on('connection', (socket) => {
      const id = nextId++;
      socket.setNoDelay(true);
      post({ t: 'conn', id: m.id, conn: id, local: { host: socket.localAddress, port: socket.localPort }, remote: { host: socket.remoteAddress, port: socket.remotePort } });
      wire(id, socket);
    });
    server.on('error', (e) => post({ t: 'error', id: m.id, code: e.code || 'EIO', message: e.message }));
    server.listen({ host: m.host, port: m.port, backlog: m.backlog }, () => {
      const a = server.address();
      post({ t: 'listening', id: m.id, host: a.address, port: a.port });
    });
  },
  connect(m) {
    const socket = net.connect({ host: m.host, port: m.port, allowHalfOpen: true, noDelay: true });
    socket.once('connect', () =>
      post({ t: 'connected', id: m.id, local: { host: socket.localAddress, port: socket.localPort }, remote: { host: socket.remoteAddress, port: socket.remotePort } }),
    );
    wire(m.id, socket);
  },
  setopt(m) {
    const s = live.get(m.id);
    if (!(s instanceof net.Socket) || s.destroyed) return;
    if (m.opt === 'nodelay') s.setNoDelay(m.on);
    else if (m.opt === 'keepalive') s.setKeepAlive(m.on);
  },
  resolve(m) {
    dns.lookup(m.host, { all: true, verbatim: true }, (e, addrs) => {
      if (e) post({ t: 'error', id: m.id, code: e.code || 'EIO', message: e.message });
      else post({ t: 'resolved', id: m.id, addrs: addrs.map((a) => a.address) });
    });
  },
  udp(m) {
    const socket = dgram.createSocket({ type: m.type, reuseAddr: !!m.reuseAddr });
    live.set(m.id, socket);
    socket.on('message', (msg, rinfo) => {
      const bytes = new Uint8Array(msg);
      post({ t: 'dgram', id: m.id, bytes, from: { host: rinfo.address, port: rinfo.port } }, [bytes.buffer]);
    });
    socket.on('error', (e) => post({ t: 'error', id: m.id, code: e.code || 'EIO', message: e.message }));
    socket.bind({ address: m.host, port: m.port }, () => {
      const a = socket.address();
      post({ t: 'listening', id: m.id, host: a.address, port: a.port });
    });
  },
  sendto(m) {
    const s = live.get(m.id);
    if (s instanceof dgram.Socket) s.send(m.bytes, m.port, m.host, (e) => e && post({ t: 'error', id: m.id, code: e.code || 'EIO', message: e.message }));
  },
  input(m) {
    try {
      wire(m.id, openInput(m.fd));
    } catch (e) {
      post({ t: 'error', id: m.id, code: e.code || 'EIO' });
    }
  },
  send(m) {
    const s = live.get(m.id);
    const n = m.bytes.length;
    // Acknowledged once the system has the bytes (or they can never go): the guest's send buffer empties.
    if (s && !s.destroyed && s.writable) s.write(m.bytes, () => post({ t: 'sent', id: m.id, n }));
    else post({ t: 'sent', id: m.id, n });
  },
  end(m) {
    const s = live.get(m.id);
    if (s && !s.destroyed) s.end();
  },
  pause(m) {
    const s = live.get(m.id);
    if (s && !s.destroyed) s.pause();
  },
  close(m) {
    const r = live.get(m.id);
    live.delete(m.id);
    if (!r) return;
    if (r instanceof net.Server || r instanceof dgram.Socket) r.close();
    // Like close(2) on a socket: what was sent still goes out, then the connection ends.
    else if (r instanceof net.Socket && r.writable) {
      closing.add(r);
      r.once('close', () => {
        closing.delete(r);
        lingered();
      });
      r.end(() => r.destroy());
    } else r.destroy();
  },
  linger(m) {
    // Answered once every socket closed before it has handed its bytes to the system (or after m.ms):
    // the guest's thread, which owns this worker, is about to end.
    const l = { id: m.id, timer: setTimeout(() => {
      lingers.splice(lingers.indexOf(l), 1);
      post({ t: 'lingered', id: m.id });
    }, m.ms) };
    lingers.push(l);
    lingered();
  },
};

/** Answers the lingers once no closed socket has bytes left to hand to the system. */
function lingered() {
  if (closing.size > 0) return;
  for (const l of lingers.splice(0)) {
    clearTimeout(l.timer);
    post({ t: 'lingered', id: l.id });
  }
}

port.on('message', (m) => commands[m.t](m));
process.on('uncaughtException', (e) => post({ t: 'fatal', message: String((e && e.stack) || e) }));
`;
