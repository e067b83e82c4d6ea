import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VirtualNetwork, WASI, WasiOptionError, type WasiOptions } from '../../src/index.js';
import { withImportedSharedMemory } from '../../src/threads/module-imports.js';
import { programPath } from '../helpers/run-program.js';
import { textSink } from '../threads/helpers.js';

// The virtual network with the same C program as the Node socket tests (wasix-net.c): each guest
// runs by run() in a worker, its memory made shared so that the kernel (this thread, which owns the
// network) serves its calls while the others run; their waits park instead of blocking this thread.
const program = withImportedSharedMemory(readFileSync(programPath('wasix-net')))!.bytes;

function guest(args: string[], network: WasiOptions['network']) {
  const out = textSink();
  let onPort: (p: number) => void = () => {};
  const port = new Promise<number>((r) => (onPort = r));
  const wasi = new WASI({
    args: ['wasix-net', ...args],
    stdin: '',
    network,
    stdout: (b) => {
      out.write(b);
      const m = /^port (\d+)$/m.exec(out.text());
      if (m) onPort(Number(m[1]));
    },
  });
  const code = wasi.run(program);
  return { port, done: code.then((c) => ({ code: c, stdout: out.text() })) };
}

const LOOPBACK = { listen: ['127.0.0.1:*'], connect: ['127.0.0.1:*'] };

describe('VirtualNetwork', () => {
  it('carries TCP echo between two WASI instances given the same network (server and client from wasix-net.c)', async () => {
    const net = new VirtualNetwork();
    const server = guest(['echo-server', '2'], { virtual: net, ...LOOPBACK });
    const port = await server.port;
    expect(net.ports()).toEqual([port]);
    const a = await guest(['echo-client', String(port), 'hello over the virtual network'], { virtual: net, ...LOOPBACK }).done;
    const b = await guest(['echo-client', String(port), 'z'.repeat(3000)], { virtual: net, ...LOOPBACK }).done;
    expect(a).toEqual({ code: 0, stdout: 'peer port matches\ngot hello over the virtual network\n' });
    expect(b).toEqual({ code: 0, stdout: `peer port matches\ngot ${'z'.repeat(3000)}\n` });
    const s = await server.done;
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/^port \d+\npeer 127\.0\.0\.1\nechoed 30\npeer 127\.0\.0\.1\nechoed 3000\n$/);
    // The listener closed with its program: its port is free again.
    expect(net.ports()).toEqual([]);
  });

  it('refuses a connect to a port nobody listens on, and keeps the grants', async () => {
    const net = new VirtualNetwork();
    expect((await guest(['connect-errno', '8080'], { virtual: net, ...LOOPBACK }).done).stdout).toBe('connect: connrefused\nstatus 0 peer notconn\n');
    // Outside the grants: acces before the network is asked.
    expect((await guest(['connect-errno', '8080'], { virtual: net, listen: ['127.0.0.1:*'] }).done).stdout).toMatch(/^connect: acces\n/);
    expect((await guest(['listen-errno', '8080'], { virtual: net, connect: ['127.0.0.1:*'] }).done).stdout).toMatch(/^bind: acces\n/);
    expect(net.ports()).toEqual([]);
    // One listener per port: a second bind of it is addrinuse.
    const first = guest(['echo-server', '1'], { virtual: net, ...LOOPBACK });
    const port = await first.port;
    expect((await guest(['listen-errno', String(port)], { virtual: net, ...LOOPBACK }).done).stdout).toBe('bind: ok\nlisten: errno3\n'); // 3: addrinuse
    await guest(['echo-client', String(port), 'x'], { virtual: net, ...LOOPBACK }).done;
    expect((await first.done).code).toBe(0);
  });

  it('hands a connect with no listener to the connector, whose stream becomes the peer', async () => {
    const seen: string[] = [];
    const net = new VirtualNetwork({
      connector: (to) => {
        seen.push(`${to.host}:${to.port}`);
        // An upper-casing echo peer, as a page would bridge to a WebSocket.
        const t = new TransformStream<Uint8Array, Uint8Array>({ transform: (c, ctl) => ctl.enqueue(new TextEncoder().encode(new TextDecoder().decode(c).toUpperCase())) });
        return { readable: t.readable, writable: t.writable };
      },
    });
    const r = await guest(['echo-client', '7000', 'bridged'], { virtual: net, ...LOOPBACK }).done;
    expect(seen).toEqual(['127.0.0.1:7000']);
    expect(r).toEqual({ code: 0, stdout: 'peer port matches\ngot BRIDGED\n' });
  });

  it("gives the page a duplex stream to a guest's listener (connect), and refuses a port nobody listens on", async () => {
    const net = new VirtualNetwork();
    await expect(net.connect(8080)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const server = guest(['echo-server', '1'], { virtual: net, ...LOOPBACK });
    const { readable, writable } = await net.connect(await server.port);
    const w = writable.getWriter();
    const sent = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    await w.write(sent.subarray(0, 1000));
    await w.write(sent.subarray(1000));
    await w.close();
    const got = new Uint8Array(await new Response(readable).arrayBuffer());
    expect(got.length).toBe(sent.length);
    expect(got).toEqual(sent);
    expect((await server.done).stdout).toMatch(/^port \d+\npeer 127\.0\.0\.1\nechoed 300000\n$/);
  });

  it("fetches from a guest's HTTP/1.1 server (wasix-net.c http): a GET, then a 1 MiB POST echoed byte-exact", async () => {
    const net = new VirtualNetwork();
    const server = guest(['http', '2'], { virtual: net, ...LOOPBACK });
    const port = await server.port;
    const get = await net.fetch(port, '/index.html');
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('application/octet-stream');
    expect(await get.text()).toBe('');
    const body = new Uint8Array(1 << 20).map((_, i) => (i * 31 + 7) & 0xff);
    const post = await net.fetch(port, new Request(`http://localhost:${port}/echo`, { method: 'POST', body }));
    expect(post.status).toBe(200);
    expect(new Uint8Array(await post.arrayBuffer())).toEqual(body);
    const s = await server.done;
    expect(s).toEqual({ code: 0, stdout: `port ${port}\nserved 2 requests on 2 connection(s)\n` });
  });

  it('serves an edge-triggered epoll guest (nonblocking accept and recv until again) for 20 page clients at once', async () => {
    const net = new VirtualNetwork();
    const server = guest(['epoll-server', '20'], { virtual: net, ...LOOPBACK });
    const port = await server.port;
    const replies = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const { readable, writable } = await net.connect(port);
        const w = writable.getWriter();
        await w.write(new TextEncoder().encode(`client ${i} says hi\n`));
        return new Response(readable).text();
      }),
    );
    expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => `CLIENT ${i} SAYS HI\n`));
    const s = await server.done;
    expect(s.stdout).toMatch(/\nanswered 20 of 20 accepted, /);
    expect(s.code).toBe(0);
  });

  it('a nonblocking connect: inprogress, then writable in poll_oneoff, as on Linux; the listener gets the bytes', async () => {
    const net = new VirtualNetwork();
    const server = guest(['echo-server', '1'], { virtual: net, ...LOOPBACK });
    const port = await server.port;
    const c = await guest(['nb-connect', String(port)], { virtual: net, ...LOOPBACK }).done;
    expect(c).toEqual({ code: 0, stdout: 'connect: inprogress\npoll: 1 event(s), error ok\nstatus 1\nconnect again: isconn\n' });
    expect((await server.done).stdout).toMatch(/\nechoed 2\n$/);
  });

  it("a guest of start() on the network's own thread gets deadlk for a wait nothing could end, not a hang", () => {
    const net = new VirtualNetwork();
    const out = textSink();
    const wasi = new WASI({ args: ['wasix-net', 'echo-server', '1'], stdin: '', network: { virtual: net, ...LOOPBACK }, stdout: out.write });
    const code = wasi.start(new WebAssembly.Instance(new WebAssembly.Module(readFileSync(programPath('wasix-net'))), wasi.getImportObject() as WebAssembly.Imports));
    wasi.close();
    expect(out.text()).toMatch(/^port 49152\nsock_accept_v2: errno16\n$/); // 16: deadlk
    expect(code).toBe(1);
    expect(net.ports()).toEqual([]);
  });

  it('carries UDP datagrams between guests: the server peeks (truncation flagged), answers the sender at its address', async () => {
    const net = new VirtualNetwork();
    const server = guest(['udp-server'], { virtual: net, ...LOOPBACK });
    const port = await server.port;
    // The client sends unbound (bound to a port of the network's choosing first, as Linux does).
    const c = await guest(['udp-echo', String(port)], { virtual: net, connect: ['127.0.0.1:*'] }).done;
    expect(c).toEqual({ code: 0, stdout: 'sent 12 got \'DATAGRAM ONE\' from port matches\n' });
    expect(await server.done).toEqual({ code: 0, stdout: `port ${port}\npeeked 4 truncated 1\nanswered 12\n` });
  });

  it("the page's stream sees the guest's end: EOF after a close, ECONNRESET for a connection its listener never accepted", async () => {
    const net = new VirtualNetwork();
    const server = guest(['echo-server', '1'], { virtual: net, ...LOOPBACK });
    const port = await server.port;
    const first = await net.connect(port);
    // Queued behind the first: the guest serves one connection, then closes its listener.
    const second = await net.connect(port);
    const w = first.writable.getWriter();
    await w.write(new TextEncoder().encode('one'));
    await w.close();
    expect(await new Response(first.readable).text()).toBe('one');
    expect((await server.done).code).toBe(0);
    await expect(second.readable.getReader().read()).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(second.writable.getWriter().write(new Uint8Array(1))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(net.ports()).toEqual([]);
  });

  it('checks its own arguments: a port out of range, a connector that is not a function', async () => {
    const net = new VirtualNetwork();
    await expect(net.connect(0)).rejects.toThrow(RangeError);
    await expect(net.connect(65536)).rejects.toThrow(RangeError);
    await expect(net.fetch(1.5, '/')).rejects.toThrow(RangeError);
    expect(() => new VirtualNetwork({ connector: 'ws://example' as never })).toThrow(WasiOptionError);
    expect(() => new VirtualNetwork({ connector: 'ws://example' as never })).toThrow(/options\.connector/);
  });

  it('rejects a network.virtual that is not a VirtualNetwork, naming the option', () => {
    expect(() => new WASI({ network: { virtual: {} as VirtualNetwork } })).toThrow(WasiOptionError);
    expect(() => new WASI({ network: { virtual: {} as VirtualNetwork } })).toThrow(/options\.network\.virtual/);
  });
});
