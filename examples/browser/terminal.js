// The terminal page: an xterm.js screen, and the line discipline a terminal driver keeps (Linux's
// canonical mode): typed characters are echoed and kept until Enter, Backspace takes the last one
// back, Ctrl-C interrupts (SIGINT: its default action ends the program, and a shell reports 128 + 2),
// Ctrl-D sends the line without a newline, or end of input on an empty line. In raw mode (tty_set
// with line buffering off) every key goes to the program as it is, unechoed.
import { Terminal } from './xterm.mjs';
import { SharedStdin } from './wasi-kit.js';

const PROGRAM = 'tty-keys';
const SIGINT = 2;
const term = new Terminal({ convertEol: true, cursorBlink: true, fontSize: 15, scrollback: 1000 });
const screen = document.getElementById('screen');
term.open(screen);
// [cols, rows, raw]: read by the program's worker at any time (terminal-worker.js).
const tty = new Int32Array(new SharedArrayBuffer(12));
let worker;
let stdin;
let line = '';

/** Fits the terminal to its box (what a terminal window's resize does) and tells the program. */
function fit() {
  const cell = term._core?._renderService?.dimensions?.css?.cell;
  if (cell?.width > 0 && cell?.height > 0) {
    const cols = Math.max(20, Math.floor(screen.clientWidth / cell.width));
    const rows = Math.max(5, Math.floor(screen.clientHeight / cell.height));
    if (cols !== term.cols || rows !== term.rows) term.resize(cols, rows);
  }
  Atomics.store(tty, 0, term.cols);
  Atomics.store(tty, 1, term.rows);
}

function start() {
  line = '';
  Atomics.store(tty, 2, 0);
  stdin = new SharedStdin();
  worker = new Worker('terminal-worker.js', { type: 'module' });
  worker.onmessage = ({ data }) => {
    if (data.type === 'output') term.write(data.bytes);
    else ended(data.error ? `[${data.error}]` : `[exit ${data.exitCode}]`);
  };
  worker.postMessage({ program: PROGRAM, stdin: stdin.buffer, tty: tty.buffer });
}

function ended(message) {
  worker?.terminate();
  worker = undefined;
  term.write(`\r\n${message} press Enter to start ${PROGRAM} again\r\n`);
}

const send = (text) => {
  if (stdin.write(text) < new TextEncoder().encode(text).length) term.write('\x07'); // full: bell
};

term.onData((data) => {
  if (!worker) {
    if (data === '\r') start();
    return;
  }
  if (Atomics.load(tty, 2) === 1) {
    // Raw: everything goes through (Ctrl-C too, as with ISIG off in `stty raw`), unechoed.
    send(data);
    return;
  }
  for (const ch of data) {
    if (ch === '\x03') {
      term.write('^C');
      ended(`[exit ${128 + SIGINT}: SIGINT]`);
      return;
    } else if (ch === '\x04') {
      if (line === '') stdin.end();
      else send(line);
      line = '';
    } else if (ch === '\r') {
      term.write('\r\n');
      send(`${line}\n`);
      line = '';
    } else if (ch === '\x7f' || ch === '\b') {
      if (line.length > 0) {
        line = [...line].slice(0, -1).join('');
        term.write('\b \b');
      }
    } else if (ch >= ' ') {
      line += ch;
      term.write(ch);
    }
  }
});

new ResizeObserver(fit).observe(screen);
fit();
term.focus();
start();
// For the tests: the screen's text, line by line.
window.terminal = { term, text: () => Array.from({ length: term.buffer.active.length }, (_x, i) => term.buffer.active.getLine(i)?.translateToString(true) ?? '').join('\n').trimEnd() };
document.body.dataset.ready = '';
