// Runs one program for the terminal page (terminal.js): stdin is the page's SharedStdin, stdout and
// stderr go back as bytes, and the terminal's size and raw mode live in a shared Int32Array the page
// keeps current ([cols, rows, raw]), so tty_get and tty_set answer at once, while the guest runs.
import { SharedStdin, WASI } from './wasi-kit.js';

self.onmessage = async ({ data }) => {
  const { program, stdin, tty } = data;
  const shared = new Int32Array(tty);
  const output = (bytes) => self.postMessage({ type: 'output', bytes }, [bytes.buffer]);
  let exitCode;
  let error;
  try {
    const wasi = new WASI({
      version: 'auto',
      args: [program],
      stdin: new SharedStdin(stdin),
      stdout: output,
      stderr: output,
      terminal: {
        size: () => ({ cols: Atomics.load(shared, 0), rows: Atomics.load(shared, 1) }),
        setRawMode: (raw) => {
          Atomics.store(shared, 2, raw ? 1 : 0);
          return true;
        },
      },
    });
    exitCode = await wasi.run(await (await fetch(`/programs/${program}.wasm`)).arrayBuffer());
  } catch (err) {
    error = `${err?.name ?? 'Error'}: ${err?.message ?? err}`;
  }
  self.postMessage({ type: 'done', exitCode, error });
};
