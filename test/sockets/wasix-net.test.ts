import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { WASI, WasiOptionError, type WasiOptions } from '../../src/index.js';
import { compileProgram } from '../helpers/run-program.js';
import { clientThread } from './client.js';
import { guestThread } from './guest-thread.js';

// WASIX's own sockets on real loopback sockets, from test/programs/wasix-net.c. The guest blocks this
// thread, so its Node peers run in a worker (clientThread). Traffic only to 127.0.0.1.

function run(args: string[], network?: WasiOptions['network'], onStdout?: (text: string) => void) {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const wasi = new WASI({
    args: ['wasix-net', ...args],
    stdin: '',
    network,
    stdout: (b) => {
      out.push(b.slice());
      onStdout?.(Buffer.concat(out).toString());
    },
    stderr: (b) => err.push(b.slice()),
  });
  const exitCode = wasi.start(new WebAssembly.Instance(compileProgram('wasix-net'), wasi.getImportObject() as WebAssembly.Imports));
  // The guest's fds (its sockets among them) stay open after start() until close(), as node:wasi's.
  wasi.close();
  return { exitCode, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

const LOOPBACK_ANY_PORT = { listen: ['127.0.0.1:*'], connect: ['127.0.0.1:*'] };

/** Waits (in the test's event loop) until a worker has stored a port in `cell`. */
async function portIn(cell: Int32Array): Promise<number> {
  for (let i = 0; i < 1000 && Atomics.load(cell, 0) === 0; i++) await new Promise((r) => setTimeout(r, 5));
  return Atomics.load(cell, 0);
}

/** A Node TCP echo server on a worker for one connection, for the guest to connect to. */
async function nodeEcho(): Promise<{ port: number; done: Promise<string> }> {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const done = clientThread<string>(
    `const server = net.createServer({ allowHalfOpen: true }, (s) => { s.pipe(s); });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    Atomics.store(new Int32Array(data.cell), 0, server.address().port);
    // A guest that closes with the echo unread resets the connection (Linux sends RST): that is its end too.
    await new Promise((r) => server.on('connection', (s) => { s.on('error', () => {}); s.on('close', r); }));
    server.close();
    return 'done';`,
    { cell: cell.buffer },
  );
  return { port: await portIn(cell), done };
}

describe('WASIX sockets on Node', () => {
  it('serves TCP echo to Node clients: bind, listen, accept_v2 with the peer address, recv until EOF (shutdown(write) seen as EOF)', async () => {
    const messages = ['hello over wasix', 'y'.repeat(200_000)];
    // The guest prints its port; the client thread polls for it through a shared cell.
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const client = clientThread<string[]>(
      `const cell = new Int32Array(data.cell);
      while (Atomics.load(cell, 0) === 0) await new Promise((r) => setTimeout(r, 5));
      const port = Atomics.load(cell, 0);
      const out = [];
      for (const msg of data.messages) {
        out.push(await new Promise((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1');
          const chunks = [];
          s.on('data', (d) => chunks.push(d));
          s.on('end', () => resolve(Buffer.concat(chunks).toString()));
          s.on('error', reject);
          s.end(msg);
        }));
      }
      return out;`,
      { cell: cell.buffer, messages },
    );
    const r = run(['echo-server', '2'], LOOPBACK_ANY_PORT, (text) => {
      const m = /^port (\d+)$/m.exec(text);
      if (m && Atomics.load(cell, 0) === 0) Atomics.store(cell, 0, Number(m[1]));
    });
    expect(await client).toEqual(messages);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const port = Atomics.load(cell, 0);
    expect(port).toBeGreaterThan(0);
    expect(r.stdout).toBe(`port ${port}\npeer 127.0.0.1\nechoed ${messages[0]!.length}\npeer 127.0.0.1\nechoed ${messages[1]!.length}\n`);
  });

  it('connects to a Node echo server: blocking connect, addr_peer, send, shutdown(write), fd_read to EOF', async () => {
    const echo = await nodeEcho();
    const r = run(['echo-client', String(echo.port), 'ping from the guest'], LOOPBACK_ANY_PORT);
    expect(r.stdout).toBe('peer port matches\ngot ping from the guest\n');
    expect(r.exitCode).toBe(0);
    expect(await echo.done).toBe('done');
  });

  it('a nonblocking connect answers inprogress, poll_oneoff reports it writable, then it is connected', async () => {
    const echo = await nodeEcho();
    const r = run(['nb-connect', String(echo.port)], LOOPBACK_ANY_PORT);
    expect(r.stdout).toBe('connect: inprogress\npoll: 1 event(s), error ok\nstatus 1\nconnect again: isconn\n');
    expect(r.exitCode).toBe(0);
    expect(await echo.done).toBe('done');
  });

  it('UDP: the guest answers a Node datagram (peek shows truncation), and sends to and hears from a Node UDP echo', async () => {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const client = clientThread<string>(
      `const dgram = require('node:dgram');
      const cell = new Int32Array(data.cell);
      while (Atomics.load(cell, 0) === 0) await new Promise((r) => setTimeout(r, 5));
      const s = dgram.createSocket('udp4');
      const reply = new Promise((r) => s.on('message', (m) => r(m.toString())));
      s.send('quiet words', Atomics.load(cell, 0), '127.0.0.1');
      const got = await reply;
      s.close();
      return got;`,
      { cell: cell.buffer },
    );
    const r = run(['udp-server'], LOOPBACK_ANY_PORT, (text) => {
      const m = /^port (\d+)$/m.exec(text);
      if (m && Atomics.load(cell, 0) === 0) Atomics.store(cell, 0, Number(m[1]));
    });
    expect(await client).toBe('QUIET WORDS');
    expect(r.stdout).toMatch(/^port \d+\npeeked 4 truncated 1\nanswered 11\n$/);

    const cell2 = new Int32Array(new SharedArrayBuffer(4));
    const udpEcho = clientThread<string>(
      `const dgram = require('node:dgram');
      const s = dgram.createSocket('udp4');
      await new Promise((r) => s.bind(0, '127.0.0.1', r));
      Atomics.store(new Int32Array(data.cell), 0, s.address().port);
      await new Promise((r) => s.on('message', (m, rinfo) => s.send(m, rinfo.port, rinfo.address, r)));
      s.close();
      return 'done';`,
      { cell: cell2.buffer },
    );
    const port = await portIn(cell2);
    expect(port).toBeGreaterThan(0);
    const r2 = run(['udp-echo', String(port)], LOOPBACK_ANY_PORT);
    expect(r2.stdout).toBe(`sent 12 got 'datagram one' from port matches\n`);
    expect(await udpEcho).toBe('done');
  });

  it('connected UDP: sock_connect sets the peer; sock_send goes to it, sock_recv hears only it (an intruder is dropped)', async () => {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const peer = clientThread<string>(
      `const dgram = require('node:dgram');
      const s = dgram.createSocket('udp4');
      await new Promise((r) => s.bind(0, '127.0.0.1', r));
      Atomics.store(new Int32Array(data.cell), 0, s.address().port);
      const [m, rinfo] = await new Promise((r) => s.once('message', (m, rinfo) => r([m, rinfo])));
      // Another socket writes to the guest first: a connected UDP socket must not hear it.
      const intruder = dgram.createSocket('udp4');
      await new Promise((r) => intruder.send('intruder', rinfo.port, rinfo.address, r));
      await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => s.send(m.toString().toUpperCase(), rinfo.port, rinfo.address, r));
      intruder.close();
      s.close();
      return m.toString();`,
      { cell: cell.buffer },
    );
    const port = await portIn(cell);
    const r = run(['udp-connected', String(port)], LOOPBACK_ANY_PORT);
    expect(r.stdout).toBe("peer port matches, bound yes\nsent 18 got 'CONNECTED DATAGRAM'\nsend after shutdown: pipe\n");
    expect(await peer).toBe('connected datagram');
    // Outside the connect grants, as a stream socket's connect: acces.
    expect(run(['udp-connected', String(port)], { connect: ['127.0.0.1:1'] }).stdout).toBe('sock_connect: acces\n');
  });

  it('serves HTTP/1.1 to node:http with keep-alive: 1 MiB bodies byte-exact', async () => {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const client = clientThread<{ ok: boolean; lengths: number[]; sockets: number }>(
      `const cell = new Int32Array(data.cell);
      while (Atomics.load(cell, 0) === 0) await new Promise((r) => setTimeout(r, 5));
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const sockets = new Set();
      let ok = true;
      const lengths = [];
      for (let i = 0; i < 4; i++) {
        const body = Buffer.alloc(i === 3 ? 0 : (1 << 20) + i, 0);
        for (let k = 0; k < body.length; k++) body[k] = (k * 31 + i) & 0xff;
        const reply = await new Promise((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port: Atomics.load(cell, 0), method: 'POST', path: '/echo', agent, headers: { 'content-length': body.length } }, (res) => {
            const chunks = [];
            res.on('data', (d) => chunks.push(d));
            res.on('end', () => resolve(Buffer.concat(chunks)));
          });
          req.on('socket', (s) => sockets.add(s));
          req.on('error', reject);
          req.end(body);
        });
        ok = ok && reply.equals(body);
        lengths.push(reply.length);
      }
      agent.destroy();
      return { ok, lengths, sockets: sockets.size };`,
      { cell: cell.buffer },
      20_000,
    );
    const r = run(['http', '4'], LOOPBACK_ANY_PORT, (text) => {
      const m = /^port (\d+)$/m.exec(text);
      if (m && Atomics.load(cell, 0) === 0) Atomics.store(cell, 0, Number(m[1]));
    });
    const got = await client;
    expect(got).toEqual({ ok: true, lengths: [1 << 20, (1 << 20) + 1, (1 << 20) + 2, 0], sockets: 1 });
    expect(r.stdout).toMatch(/\nserved 4 requests on 1 connection\(s\)\n$/);
  });

  it('answers fetch()', async () => {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const client = clientThread<{ status: number; text: string; length: string | null }>(
      `const cell = new Int32Array(data.cell);
      while (Atomics.load(cell, 0) === 0) await new Promise((r) => setTimeout(r, 5));
      const res = await fetch('http://127.0.0.1:' + Atomics.load(cell, 0) + '/', { method: 'POST', body: 'fetched from a guest' });
      return { status: res.status, length: res.headers.get('content-length'), text: await res.text() };`,
      { cell: cell.buffer },
    );
    run(['http', '1'], LOOPBACK_ANY_PORT, (text) => {
      const m = /^port (\d+)$/m.exec(text);
      if (m && Atomics.load(cell, 0) === 0) Atomics.store(cell, 0, Number(m[1]));
    });
    expect(await client).toEqual({ status: 200, length: '20', text: 'fetched from a guest' });
  });

  it('an edge-triggered epoll server answers 100 concurrent Node clients', async () => {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const client = clientThread<string[]>(
      `const cell = new Int32Array(data.cell);
      while (Atomics.load(cell, 0) === 0) await new Promise((r) => setTimeout(r, 5));
      const port = Atomics.load(cell, 0);
      return Promise.all(Array.from({ length: 100 }, (_, i) => new Promise((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1');
        let got = '';
        s.setEncoding('utf8');
        s.on('data', (d) => (got += d));
        s.on('end', () => resolve(got));
        s.on('error', reject);
        s.write('client ' + i + ' says hi\\n');
      })));`,
      { cell: cell.buffer },
      20_000,
    );
    const r = run(['epoll-server', '100'], LOOPBACK_ANY_PORT, (text) => {
      const m = /^port (\d+)$/m.exec(text);
      if (m && Atomics.load(cell, 0) === 0) Atomics.store(cell, 0, Number(m[1]));
    });
    expect(await client).toEqual(Array.from({ length: 100 }, (_, i) => `CLIENT ${i} SAYS HI\n`));
    expect(r.stdout).toMatch(/\nanswered 100 of 100 accepted, /);
    expect(r.exitCode).toBe(0);
  });

  it('a guest that exits right after its last reply: every client still gets its whole answer (closed sockets linger)', async () => {
    // The guest's thread ends with the program, which takes the thread's I/O worker with it: what
    // closed sockets still had queued must be out first, as the kernel still sends it after exit(2).
    const g = guestThread('wasix-net', ['http', '16'], LOOPBACK_ANY_PORT);
    const port = await g.port;
    const body = Buffer.alloc(256 << 10);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const replies = await Promise.all(
      Array.from({ length: 16 }, () =>
        new Promise<Buffer>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'content-length': body.length } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (d: Buffer) => chunks.push(d));
            res.on('end', () => resolve(Buffer.concat(chunks)));
          });
          req.on('error', reject);
          req.end(body);
        }),
      ),
    );
    expect(replies.map((r) => r.equals(body))).toEqual(Array(16).fill(true));
    const end = await g.done;
    expect(end.stdout).toMatch(/\nserved 16 requests on 16 connection\(s\)\n$/);
    expect(end.code).toBe(0);
  });

  it('send backpressure: a nonblocking send to a peer that does not read ends in again, poll waits until it is writable, and every byte arrives', async () => {
    const cell = new Int32Array(new SharedArrayBuffer(8));
    // The peer reads nothing until the guest has said `again` (cell[1]), then counts to EOF and answers the count.
    const peer = clientThread<string>(
      `const cell = new Int32Array(data.cell);
      const server = net.createServer({ allowHalfOpen: true });
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      Atomics.store(cell, 0, server.address().port);
      const s = await new Promise((r) => server.once('connection', r));
      s.pause();
      while (Atomics.load(cell, 1) === 0) await new Promise((r) => setTimeout(r, 5));
      let n = 0;
      s.on('data', (d) => (n += d.length));
      s.resume();
      await new Promise((r) => s.once('end', r));
      s.end(String(n));
      server.close();
      return 'done';`,
      { cell: cell.buffer },
      30_000,
    );
    const port = await portIn(cell);
    const r = run(['flood', String(port)], LOOPBACK_ANY_PORT, (text) => {
      if (text.includes('again\n')) Atomics.store(cell, 1, 1);
    });
    expect(r.stdout).toMatch(/^again\nwritable: 1 event\(s\), error ok\npeer got \d+, sent the same\n$/);
    expect(await peer).toBe('done');
  });

  it('recv_timeout ends a blocking sock_recv with again when nothing arrives', async () => {
    const echo = await nodeEcho();
    expect(run(['recv-timeout', String(echo.port)], LOOPBACK_ANY_PORT).stdout).toBe('recv: again\n');
    expect(await echo.done).toBe('done');
  });

  it('resolves localhost when granted, refuses to resolve without a grant', () => {
    const r = run(['resolve', 'localhost'], { connect: ['localhost:*'] });
    expect(r.stdout).toMatch(/\d address\(es\), v4 1\n$/);
    expect(r.stdout).toContain('inet4 127.0.0.1\n');
    expect(run(['resolve', 'localhost'], { connect: ['127.0.0.1:80'] }).stdout).toBe('resolve: acces\n');
    expect(run(['resolve', 'localhost']).stdout).toBe('resolve: acces\n');
  });

  it('round-trips socket options', () => {
    const r = run(['opts']);
    expect(r.stdout).toBe('keep_alive 1 -> 0\nno_delay 0\nlistening 0\nrecv_buf 65536\nrecv_timeout 1 1500000000\nconnect_timeout 0\ntime as flag: inval\n');
  });

  it('answers bad input with fault, afnosupport, notsock, badf', () => {
    const r = run(['bad']);
    expect(r.stdout).toBe(
      [
        'open unix: afnosupport',
        'open unspec: afnosupport',
        'open udp proto on stream: protonosupport',
        'open to a bad pointer: fault',
        'bind to a bad pointer: fault',
        'connect inet6 addr on inet4: afnosupport',
        'connect unix addr: afnosupport',
        'status on stdout: notsock',
        'listen on stdout: notsock',
        'status on fd 99: badf',
        'accept unconnected: inval',
        'peer unconnected: notconn',
        'addr_local bad pointer: fault',
        'send_to bad iovec: fault',
        'recv_from unbound: acces',
        'status closed: badf',
        '',
      ].join('\n'),
    );
  });
});

describe('network grants', () => {
  it('no grant means no network: connect and listen are acces', async () => {
    const echo = await nodeEcho();
    expect(run(['connect-errno', String(echo.port)]).stdout).toBe('connect: acces\nstatus 0 peer notconn\n');
    expect(run(['listen-errno', '0']).stdout).toBe('bind: acces\nlisten: acces\n');
    // The echo server saw no connection: let the next client through to end it.
    const r = run(['echo-client', String(echo.port), 'x'], { connect: [`127.0.0.1:${echo.port}`] });
    expect(r.stdout).toBe('peer port matches\ngot x\n');
    expect(await echo.done).toBe('done');
  });

  it('a grant for one port does not open another', async () => {
    const echo = await nodeEcho();
    const other = echo.port === 65535 ? echo.port - 1 : echo.port + 1;
    expect(run(['connect-errno', String(echo.port)], { connect: [`127.0.0.1:${other}`] }).stdout).toBe('connect: acces\nstatus 0 peer notconn\n');
    expect(run(['connect-errno', String(echo.port)], { connect: [`127.0.0.2:${echo.port}`] }).stdout).toBe('connect: acces\nstatus 0 peer notconn\n');
    expect(run(['echo-client', String(echo.port), 'y'], { connect: [`127.0.0.1:${echo.port}`] }).stdout).toBe('peer port matches\ngot y\n');
    expect(await echo.done).toBe('done');
  });

  it('listen grants: outside the range is acces and opens nothing; a real connect error is still its own errno', () => {
    expect(run(['listen-errno', '0'], { listen: ['127.0.0.1:8000-8100'] }).stdout).toBe('bind: acces\nlisten: acces\n');
    expect(run(['listen-errno', '0'], { listen: ['127.0.0.1:*'] }).stdout).toBe('bind: ok\nlisten: ok\n');
    // Port 1 on loopback: granted, and nothing listens there.
    expect(run(['connect-errno', '1'], { connect: ['127.0.0.1:1'] }).stdout).toBe('connect: connrefused\nstatus 0 peer notconn\n');
  });

  it('validates options.network, naming the option', () => {
    const bad = (network: unknown, option: string) => {
      let caught: unknown;
      try {
        new WASI({ network } as WasiOptions);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(WasiOptionError);
      expect((caught as WasiOptionError).option).toBe(option);
    };
    bad('all', 'options.network');
    bad({ listen: '127.0.0.1:80' }, 'options.network.listen');
    bad({ connect: ['127.0.0.1'] }, 'options.network.connect[0]');
    bad({ connect: ['127.0.0.1:80', '127.0.0.1:0'] }, 'options.network.connect[1]');
    bad({ connect: ['127.0.0.1:90-80'] }, 'options.network.connect[0]');
    bad({ listen: ['[1.2.3.4]:80'] }, 'options.network.listen[0]');
    bad({ listen: ['bad host:80'] }, 'options.network.listen[0]');
    bad({ bind: [] }, 'options.network.bind');
    expect(() => new WASI({ network: { listen: ['[::1]:8080', 'localhost:8000-8100', '*:*'], connect: ['example.org:443'] } })).not.toThrow();
  });
});
