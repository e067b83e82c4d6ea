// Serves the browser demo: the page, wasi-kit's browser bundle (built from src/browser.ts on start) and
// the sample programs of test/programs. Loopback only.
//   node examples/browser/serve.mjs [--port N]     (default: a free port; the URL is printed)
// The page is cross-origin isolated (COOP/COEP), so SharedArrayBuffer exists and a guest in a worker
// can sleep.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { buildBrowserBundle, buildGuestWorkerBundle } from './build.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const PAGE_FILES = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/worker.js': ['worker.js', 'text/javascript; charset=utf-8'],
  '/trace-format.js': ['trace-format.js', 'text/javascript; charset=utf-8'],
  '/terminal.html': ['terminal.html', 'text/html; charset=utf-8'],
  '/terminal.js': ['terminal.js', 'text/javascript; charset=utf-8'],
  // The terminal emulator, from npm (@xterm/xterm).
  '/xterm.mjs': ['../../node_modules/@xterm/xterm/lib/xterm.mjs', 'text/javascript; charset=utf-8'],
  '/xterm.css': ['../../node_modules/@xterm/xterm/css/xterm.css', 'text/css; charset=utf-8'],
};

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** Starts the server; resolves to its URL and a `close()`. */
export async function startDemoServer({ port = 0 } = {}) {
  const [bundle, guestWorker] = await Promise.all([buildBrowserBundle(), buildGuestWorkerBundle()]);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // ?isolation=off serves a page that is not cross-origin isolated: what a threaded program is told there.
    const isolated = url.searchParams.get('isolation') !== 'off';
    const send = (status, type, body) => {
      const headers = { ...HEADERS, 'Content-Type': type };
      if (!isolated) {
        delete headers['Cross-Origin-Opener-Policy'];
        delete headers['Cross-Origin-Embedder-Policy'];
      }
      res.writeHead(status, headers);
      res.end(body);
    };
    try {
      const path = url.pathname;
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'GET only\n');
      if (path === '/wasi-kit.js') return send(200, 'text/javascript; charset=utf-8', bundle);
      if (path === '/guest-worker-browser.js') return send(200, 'text/javascript; charset=utf-8', guestWorker);
      const page = PAGE_FILES[path];
      if (page) return send(200, page[1], await readFile(here(page[0])));
      // Program names are plain words (threaded ones under threads/, process ones under proc/), so no path can leave test/programs.
      const program = /^\/programs\/((?:threads\/|proc\/)?[a-z0-9-]+)\.wasm$/.exec(path);
      if (program) return send(200, 'application/wasm', await readFile(here(`../../test/programs/${program[1]}.wasm`)));
      if (path === '/favicon.ico') return send(204, 'text/plain', '');
      send(404, 'text/plain', `not found: ${path}\n`);
    } catch (err) {
      send(err.code === 'ENOENT' ? 404 : 500, 'text/plain', `${err.code === 'ENOENT' ? 'not found' : 'error'}: ${err.message}\n`);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: actual } = server.address();
  return { url: `http://127.0.0.1:${actual}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--port');
  const port = at > 0 ? Number(process.argv[at + 1]) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node examples/browser/serve.mjs [--port N]');
    process.exit(2);
  }
  const { url } = await startDemoServer({ port });
  console.log(`wasi-kit browser demo: ${url}`);
}
