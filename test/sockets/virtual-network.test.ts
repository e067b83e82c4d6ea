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

  it('rejects a network.virtual that is not a VirtualNetwork, naming the option', () => {
    expect(() => new WASI({ network: { virtual: {} as VirtualNetwork } })).toThrow(WasiOptionError);
    expect(() => new WASI({ network: { virtual: {} as VirtualNetwork } })).toThrow(/options\.network\.virtual/);
  });
});
