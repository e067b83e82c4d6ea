// Runs one guest per message, off the page's main thread: a long or stuck program cannot freeze the
// page (Stop ends this worker), and a guest that sleeps can block here (Atomics.wait), not there.
import { MemoryFileSystem, WASI } from './wasi-kit.js';
import { formatTrace } from './trace-format.js';

const TRACE_LINES = 2000;

self.onmessage = async ({ data }) => {
  const { wasm, args, env, stdin, files } = data;
  const fs = new MemoryFileSystem(files);
  let batch = [];
  let syscalls = 0;
  const flushTrace = () => {
    if (batch.length > 0) self.postMessage({ type: 'trace', lines: batch });
    batch = [];
  };
  const output = (type) => (bytes) => self.postMessage({ type, bytes }, [bytes.buffer]);
  let exitCode;
  let error;
  const started = performance.now();
  try {
    const wasi = new WASI({
      // Any version: preview1, the older ones, WASIX; a threaded program gets a worker per thread.
      version: 'auto',
      args,
      env,
      stdin,
      preopens: { '/sandbox': fs },
      stdout: output('stdout'),
      stderr: output('stderr'),
      trace: (event) => {
        if (++syscalls > TRACE_LINES) return;
        batch.push(formatTrace(event));
        if (batch.length === 100) flushTrace();
      },
    });
    const module = await WebAssembly.compile(wasm);
    if (WASI.versionOf(module) === undefined) throw new Error('this module imports no WASI functions (is it a WASI program?)');
    exitCode = await wasi.run(wasm);
  } catch (err) {
    error = `${err?.name ?? 'Error'}: ${err?.message ?? err}`;
  }
  flushTrace();
  self.postMessage({ type: 'done', exitCode, error, syscalls, ms: performance.now() - started, files: fs.toFiles() });
};
