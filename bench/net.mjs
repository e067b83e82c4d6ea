// The network benchmarks (issue #15), each beside Node doing the same in the same run:
//   tcp  - MB/s of one TCP connection on loopback: a guest (test/programs/wasix-net.wasm `blast`)
//          sending to a Node server, against a Node client sending the same to the same server;
//   http - requests/s of a tiny guest HTTP/1.1 server (wasix-net `http`, one connection at a time)
//          under a Node load generator with 16 connections (each request on a new connection, as the
//          guest serves them in turn), against the same load on a node:http server.
// The guest and the Node peers each run in a worker; the measuring side is this thread. Runs wasi-kit's
// built package (npm run build). Medians of --runs (default 3).
//   node bench/net.mjs [--runs N] [--mib N] [--requests N] [--only tcp|http] [--json]
import { createServer } from 'node:net';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const runs = opt('--runs', 3);
const mib = opt('--mib', 64);
const requests = opt('--requests', 2000);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Runs wasix-net with `args` in a worker (the guest blocks its thread); resolves its stdout. */
function guest(args, network) {
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { readFileSync } = require('node:fs');
    import(workerData.dist).then(({ WASI }) => {
      let out = '';
      const wasi = new WASI({ args: ['wasix-net', ...workerData.args], stdin: '', network: workerData.network, stdout: (b) => {
        out += Buffer.from(b).toString();
        const m = /^port (\\d+)$/m.exec(out);
        if (m) parentPort.postMessage({ port: Number(m[1]) });
      } });
      const mod = new WebAssembly.Module(readFileSync(workerData.wasm));
      const code = wasi.start(new WebAssembly.Instance(mod, wasi.getImportObject()));
      wasi.close();
      parentPort.postMessage({ code, out });
    });`;
  const w = new Worker(source, {
    eval: true,
    workerData: { args, network, dist: join(repo, 'dist', 'index.js'), wasm: join(repo, 'test/programs/wasix-net.wasm') },
  });
  let onPort;
  const port = new Promise((r) => (onPort = r));
  const done = new Promise((res, rej) => {
    w.on('message', (m) => (m.port ? onPort(m.port) : res(m)));
    w.on('error', rej);
  });
  return { port, done };
}

/** A worker running `body` (with net, http, data in scope). */
function nodeWorker(body, data) {
  const w = new Worker(`const { workerData: data, parentPort } = require('node:worker_threads'); const net = require('node:net'); const http = require('node:http');
    (async () => { ${body} })().then((r) => parentPort.postMessage({ r }));`, { eval: true, workerData: data });
  return {
    message: new Promise((res, rej) => {
      w.on('message', (m) => res(m.r));
      w.on('error', rej);
    }),
    worker: w,
  };
}

/** A sink on this thread: resolves MB/s of the next connection, first byte to end. */
async function sink() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const rate = new Promise((res) =>
    server.once('connection', (s) => {
      let bytes = 0;
      let t0;
      s.on('data', (d) => {
        t0 ??= performance.now();
        bytes += d.length;
      });
      s.on('end', () => {
        res(bytes / 1e6 / ((performance.now() - t0) / 1000));
        server.close();
      });
    }),
  );
  return { port: server.address().port, rate };
}

async function tcpGuest() {
  const s = await sink();
  const g = guest(['blast', String(s.port), String(mib)], { connect: [`127.0.0.1:${s.port}`] });
  const [rate] = await Promise.all([s.rate, g.done]);
  return rate;
}

async function tcpNode() {
  const s = await sink();
  const w = nodeWorker(
    `const chunk = Buffer.alloc(65536, 7);
    const sock = net.connect(data.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    for (let i = 0; i < data.mib * 16; i++) if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
    sock.end();
    await new Promise((r) => sock.once('close', r));`,
    { port: s.port, mib },
  );
  const [rate] = await Promise.all([s.rate, w.message]);
  return rate;
}

/** `requests` GETs over 16 concurrent connections (a new one per request); requests/s. */
async function load(port) {
  let next = 0;
  const one = () =>
    new Promise((res, rej) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (r) => {
        r.resume();
        r.on('end', res);
      });
      req.on('error', rej);
      req.end();
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next++ < requests) await one();
    }),
  );
  return requests / ((performance.now() - t0) / 1000);
}

async function httpGuest() {
  const g = guest(['http', String(requests)], { listen: ['127.0.0.1:*'] });
  const rps = await load(await g.port);
  await g.done;
  return rps;
}

async function httpNode() {
  const { port1, port2 } = new MessageChannel();
  const portP = new Promise((r) => port1.once('message', r));
  const w = new Worker(
    `const { workerData } = require('node:worker_threads'); const http = require('node:http');
    const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end()); });
    server.listen(0, '127.0.0.1', () => workerData.port.postMessage(server.address().port));`,
    { eval: true, workerData: { port: port2 }, transferList: [port2] },
  );
  const rps = await load(await portP);
  await w.terminate();
  port1.close();
  return rps;
}

const results = { tcpGuest: [], tcpNode: [], httpGuest: [], httpNode: [] };
for (let i = 0; i < runs; i++) {
  if (only !== 'http') {
    results.tcpGuest.push(await tcpGuest());
    results.tcpNode.push(await tcpNode());
  }
  if (only !== 'tcp') {
    results.httpGuest.push(await httpGuest());
    results.httpNode.push(await httpNode());
  }
}
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.length ? median(v) : NaN]));
if (argv.includes('--json')) console.log(JSON.stringify(m));
else {
  console.log(`| network benchmark (medians of ${runs}) | wasi-kit guest | Node (same run) | ratio |`);
  console.log('|---|---:|---:|---:|');
  console.log(`| TCP on loopback, ${mib} MiB one way (MB/s) | ${m.tcpGuest.toFixed(0)} | ${m.tcpNode.toFixed(0)} (net client) | ${(m.tcpGuest / m.tcpNode).toFixed(2)}x |`);
  console.log(`| HTTP/1.1, ${requests} requests over 16 connections (requests/s) | ${m.httpGuest.toFixed(0)} | ${m.httpNode.toFixed(0)} (node:http) | ${(m.httpGuest / m.httpNode).toFixed(2)}x |`);
}
