import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { listenTcp } from '../../src/sockets/node-bridge.js';
import { compileProgram } from '../helpers/run-program.js';
import { clientThread } from './client.js';

/** Runs a program with the given listeners as fds 3, 4, ... on this thread; stdout captured. */
function serve(name: string, args: string[], listeners: ReturnType<typeof listenTcp>[]) {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const wasi = new WASI({ version: 'preview1', args: [name, ...args], stdin: '', stdout: (b) => out.push(b), stderr: (b) => err.push(b), preopenSockets: listeners });
  const exitCode = wasi.start(new WebAssembly.Instance(compileProgram(name), wasi.getImportObject() as WebAssembly.Imports));
  return { exitCode, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

// Each connection: wait for the greeting, send in two writes, half-close, read the echo to the end.
const ECHO_CLIENT = `
  const replies = [];
  for (const [i, parts] of data.messages.entries()) {
    replies.push(await new Promise((resolve, reject) => {
      const s = net.connect(data.port, '127.0.0.1');
      let got = '';
      let sent = false;
      s.setEncoding('utf8');
      s.on('data', (d) => {
        got += d;
        if (!sent && got.startsWith('hello\\n')) {
          sent = true;
          s.write(parts[0]);
          setTimeout(() => { s.end(parts[1]); }, 20);
        }
      });
      s.on('end', () => resolve(got));
      s.on('error', reject);
    }));
  }
  return replies;`;

describe('echo-server on a preopened loopback listener', () => {
  it('checks misuse errnos, then echoes two connections driven by a Node client', async () => {
    const live = listenTcp({ host: '127.0.0.1', port: 0 });
    const idle = listenTcp();
    expect(live.port).toBeGreaterThan(0);
    const messages = [['ping one\n', 'and more'], ['x'.repeat(100_000), 'tail']];
    const client = clientThread<string[]>(ECHO_CLIENT, { port: live.port, messages });
    const r = serve('echo-server', ['2'], [live, idle]);
    const replies = await client;
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`errors: notsock badf notconn again\nconn 1: echoed 17 bytes\nconn 2: echoed 100004 bytes\n`);
    expect(r.exitCode).toBe(0);
    expect(replies).toEqual(messages.map((m) => `hello\n${m.join('')}`));
    idle.close();
  });
});

describe('http-responder', () => {
  it('answers HTTP requests from node:http', async () => {
    const l = listenTcp();
    const client = clientThread<{ status: number; body: string; type: string }[]>(
      `const out = [];
       for (const path of ['/', '/a/b?c=1']) {
         out.push(await new Promise((resolve, reject) => {
           http.get({ host: '127.0.0.1', port: data.port, path, agent: false }, (res) => {
             let body = '';
             res.setEncoding('utf8');
             res.on('data', (d) => (body += d));
             res.on('end', () => resolve({ status: res.statusCode, body, type: res.headers['content-type'] }));
           }).on('error', reject);
         }));
       }
       return out;`,
      { port: l.port },
    );
    const r = serve('http-responder', ['2'], [l]);
    expect(await client).toEqual([
      { status: 200, body: 'hello from wasi: /\n', type: 'text/plain' },
      { status: 200, body: 'hello from wasi: /a/b?c=1\n', type: 'text/plain' },
    ]);
    expect(r.stdout).toBe('served GET /\nserved GET /a/b?c=1\n');
    expect(r.exitCode).toBe(0);
    l.close();
  });
});

describe('the I/O bridge as a waiter', () => {
  it('a wait returns at once for an event that came after the caller last looked, not at the next one', async () => {
    const listener = listenTcp();
    try {
      expect(listener.pending()).toBe(0);
      // A client connects while this thread looks elsewhere (blocked, not taking events).
      const cell = new Int32Array(new SharedArrayBuffer(4));
      const client = clientThread<string>(
        `const s = net.connect(data.port, '127.0.0.1');
        await new Promise((r) => s.once('connect', r));
        Atomics.store(new Int32Array(data.cell), 0, 1);
        Atomics.notify(new Int32Array(data.cell), 0);
        await new Promise((r) => s.once('close', r));
        return 'closed';`,
        { port: listener.port, cell: cell.buffer },
        60_000,
      );
      Atomics.wait(cell, 0, 0, 10_000);
      // Long enough for the listener's worker to have reported the connection; no event follows it.
      Atomics.wait(cell, 0, 1, 200);
      const t0 = performance.now();
      listener.waiter.wait(30_000);
      // It took the connection and returned, rather than sleeping out its 30 s for an event that never comes.
      expect(performance.now() - t0).toBeLessThan(15_000);
      expect(listener.pending()).toBe(1);
      listener.accept()!.close();
      expect(await client).toBe('closed');
    } finally {
      listener.close();
    }
  });
});
