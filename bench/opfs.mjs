// `node bench/opfs.mjs`: DirectoryHandleFileSystem on OPFS in headless Chromium (Debian's, through
// playwright-core), beside page JavaScript doing the same through the same API in the same run.
//   - 64 MiB written then read back: by a guest (test/programs/threads/file-io, 1 MiB fd_write and
//     fd_read calls, each a parked call answered by the kernel on the page) and by page JavaScript
//     (one FileSystemWritableFileStream written 1 MiB at a time, then File.slice().arrayBuffer()).
//   - stat of 1000 files: the guest's path_filestat_get of each, and page JavaScript's
//     getFileHandle() + getFile() of each.
// A guest run includes starting its worker and compiling the module: a run that does nothing (stat of
// 0 files) is timed too and subtracted. Median of 5 rounds; a benchmark, not a test.
import { chromium } from 'playwright-core';
import { startDemoServer } from '../examples/browser/serve.mjs';

const ROUNDS = 5;
const SIZE = 64 << 20;
const FILES = 1000;

const { url, close } = await startDemoServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-ready]');
  await page.addScriptTag({ type: 'module', content: "import * as wasiKit from '/wasi-kit.js'; window.wasiKit = wasiKit;" });
  await page.waitForFunction(() => 'wasiKit' in window);
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    rounds.push(
      await page.evaluate(
        async ({ SIZE, FILES }) => {
          const { WASI, DirectoryHandleFileSystem } = window.wasiKit;
          const opfs = await navigator.storage.getDirectory();
          await opfs.removeEntry('bench', { recursive: true }).catch(() => {});
          const dir = await opfs.getDirectoryHandle('bench', { create: true });
          const module = await WebAssembly.compile(await (await fetch('/programs/threads/file-io.wasm')).arrayBuffer());
          const memory = () => new WebAssembly.Memory({ initial: 64, maximum: 64, shared: true });
          const guest = async (args) => {
            let out = '';
            const wasi = new WASI({ args: ['file-io', ...args], preopens: { '/data': new DirectoryHandleFileSystem(dir) }, stdout: (b) => (out += new TextDecoder().decode(b)) });
            const t = performance.now();
            const code = await wasi.run(module, { memory: memory() });
            const ms = performance.now() - t;
            if (code !== 0) throw new Error(`file-io ${args.join(' ')}: exit ${code}: ${out}`);
            return ms;
          };
          const r = {};
          r.guestIdle = await guest(['stat', '0']);
          r.guestWrite = await guest(['write', 'guest.bin', String(SIZE), '1']);
          r.guestRead = await guest(['check', 'guest.bin', String(SIZE), '1']);

          const chunk = new Uint8Array(1 << 20).map((_x, i) => i * 31);
          let t = performance.now();
          const file = await dir.getFileHandle('page.bin', { create: true });
          const w = await file.createWritable();
          for (let at = 0; at < SIZE; at += chunk.length) await w.write({ type: 'write', position: at, data: chunk });
          await w.close();
          r.pageWrite = performance.now() - t;
          t = performance.now();
          const f = await file.getFile();
          let sum = 0;
          for (let at = 0; at < SIZE; at += chunk.length) sum += new Uint8Array(await f.slice(at, at + chunk.length).arrayBuffer())[0];
          r.pageRead = performance.now() - t;
          if (f.size !== SIZE || sum !== 0) throw new Error('page read back the wrong bytes');

          await guest(['touch', String(FILES)]);
          r.guestStat = await guest(['stat', String(FILES)]);
          t = performance.now();
          for (let i = 0; i < FILES; i++) await (await dir.getFileHandle(`f${i}`)).getFile();
          r.pageStat = performance.now() - t;
          await opfs.removeEntry('bench', { recursive: true });
          return r;
        },
        { SIZE, FILES },
      ),
    );
  }
  const median = (k) => rounds.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
  const idle = median('guestIdle');
  const mibs = (ms) => ((SIZE / (1 << 20)) / (ms / 1000)).toFixed(0);
  const version = browser.version();
  const row = (what, guestMs, pageMs, unit) => `| ${what} | ${unit(guestMs)} | ${unit(pageMs)} | ${(pageMs / guestMs).toFixed(2)}x |`;
  console.log(`Chromium ${version}, median of ${ROUNDS}; guest figures less an idle run (${idle.toFixed(1)} ms: worker start-up and instantiation)\n`);
  console.log('| | guest through DirectoryHandleFileSystem | page JavaScript, same API | guest / page throughput |');
  console.log('|---|---|---|---|');
  console.log(row('write 64 MiB (1 MiB calls)', median('guestWrite') - idle, median('pageWrite'), (ms) => `${mibs(ms)} MiB/s (${ms.toFixed(0)} ms)`));
  console.log(row('read 64 MiB back (1 MiB calls)', median('guestRead') - idle, median('pageRead'), (ms) => `${mibs(ms)} MiB/s (${ms.toFixed(0)} ms)`));
  console.log(row(`stat ${FILES} files`, median('guestStat') - idle, median('pageStat'), (ms) => `${ms.toFixed(0)} ms (${((ms * 1000) / FILES).toFixed(0)} µs each)`));
} finally {
  await browser.close();
  await close();
}
