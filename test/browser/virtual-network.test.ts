// The virtual network in Chromium, where the platform has no sockets: two guests (wasix-net.c, the
// program the Node socket tests run) talk over a VirtualNetwork the page made, and the page fetches
// from a guest's HTTP server. Each guest runs by WASI.run() in a worker (the page is cross-origin
// isolated), its memory made shared here so that the page's kernel serves it while the other runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withImportedSharedMemory } from '../../src/threads/module-imports.js';
import { programPath } from '../helpers/run-program.js';
import { useDemo, type PageWindow } from './chromium.js';

const demo = useDemo();

const program = [...withImportedSharedMemory(readFileSync(programPath('wasix-net')))!.bytes];

describe('a virtual network in a page', () => {
  it('two guests talk over it: an echo server and its client', async () => {
    const r = await demo().page.evaluate(async (program) => {
      const { WASI, VirtualNetwork } = (window as unknown as PageWindow).wasiKit;
      const bytes = new Uint8Array(program);
      const net = new VirtualNetwork();
      const network = { virtual: net, listen: ['127.0.0.1:*'], connect: ['127.0.0.1:*'] };
      const text = () => {
        const out: number[] = [];
        return { write: (b: Uint8Array) => void out.push(...b), text: () => new TextDecoder().decode(new Uint8Array(out)) };
      };
      // Without a virtual network a browser has none: sock_open is notsup.
      const alone = text();
      const aloneCode = await new WASI({ args: ['wasix-net', 'connect-errno', '80'], network: { connect: ['*:*'] }, stdout: alone.write }).run(bytes);
      const so = text();
      const server = new WASI({ args: ['wasix-net', 'echo-server', '1'], network, stdout: so.write }).run(bytes);
      while (net.ports().length === 0) await new Promise((r) => setTimeout(r, 5));
      const port = net.ports()[0]!;
      const co = text();
      const clientCode = await new WASI({ args: ['wasix-net', 'echo-client', String(port), 'hello from guest to guest'], network, stdout: co.write }).run(bytes);
      return { aloneCode, alone: alone.text(), serverCode: await server, server: so.text(), clientCode, client: co.text(), ports: net.ports() };
    }, program);
    expect(r.alone, demo().log.join('\n')).toBe('sock_open: notsup\n');
    expect(r.aloneCode).toBe(1);
    expect(r.client).toBe('peer port matches\ngot hello from guest to guest\n');
    expect(r.clientCode).toBe(0);
    expect(r.server).toMatch(/^port \d+\npeer 127\.0\.0\.1\nechoed 25\n$/);
    expect(r.serverCode).toBe(0);
    expect(r.ports).toEqual([]);
  });

  it("the page fetches a page from a guest's HTTP server", async () => {
    const r = await demo().page.evaluate(async (program) => {
      const { WASI, VirtualNetwork } = (window as unknown as PageWindow).wasiKit;
      const net = new VirtualNetwork();
      const server = new WASI({ args: ['wasix-net', 'http', '1'], network: { virtual: net, listen: ['127.0.0.1:*'] }, stdout: () => {} }).run(new Uint8Array(program));
      while (net.ports().length === 0) await new Promise((r) => setTimeout(r, 5));
      // The guest's server answers with the request's body: the page sends the HTML it wants back.
      const html = '<!doctype html><title>served by a guest</title><p>hello</p>';
      const res = await net.fetch(net.ports()[0]!, '/index.html', { method: 'POST', body: html });
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text(), html, code: await server };
    }, program);
    expect(r.status, demo().log.join('\n')).toBe(200);
    expect(r.type).toBe('application/octet-stream');
    expect(r.body).toBe(r.html);
    expect(r.code).toBe(0);
  });
});
