// The terminal page: an xterm.js screen running our shell (test/programs/proc/sh.c) on wasi-kit. The
// kernel runs here, on the page's thread, and never blocks: every process (the shell, each command,
// which the shell forks and execs) runs in workers of its own over its own shared memory, so the page
// must be cross-origin isolated.
//
// The filesystem: `/` in memory (with /bin, /tmp, /mnt), `/home` an OPFS directory (what is written
// there is there after a reload), and a folder the user picks mounted at /mnt/<name>. Commands: the
// project's programs (`commands` option), and any .wasm dropped on the page, written to /bin/<name>,
// where the shell's PATH finds it.
//
// The line discipline a terminal driver keeps (Linux's canonical mode) is here: typed characters are
// echoed and kept until Enter, Backspace takes the last one back, Ctrl-C sends SIGINT to the
// foreground group (WASI.signalForeground: every process on this terminal; the shell ignores it while
// it waits, so the command ends and the shell prompts again), Ctrl-D sends the line without a newline,
// or end of file once on an empty line. In raw mode (tty_set with line buffering off) every key goes
// to the program as it is, unechoed.
import { Terminal } from './xterm.mjs';
import { DirectoryHandleFileSystem, MemoryFileSystem, SharedStdin, WASI } from './wasi-kit.js';

const PROGRAMS = { echo: 'proc/echo', cat: 'proc/cat', wc: 'wc', ls: 'proc/ls', gen: 'proc/gen', loop: 'proc/loop', fork: 'proc/fork', 'tty-keys': 'tty-keys' };
const term = new Terminal({ convertEol: true, cursorBlink: true, fontSize: 15, scrollback: 1000 });
const screen = document.getElementById('screen');
const status = document.getElementById('status');
term.open(screen);

const fetchBytes = async (name) => {
  const r = await fetch(`/programs/${name}.wasm`);
  if (!r.ok) throw new Error(`${name}.wasm: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
};
const [shell, commands] = await Promise.all([fetchBytes('proc/sh'), Promise.all(Object.entries(PROGRAMS).map(async ([n, path]) => [n, await fetchBytes(path)])).then(Object.fromEntries)]);
const home = await (await navigator.storage.getDirectory()).getDirectoryHandle('home', { create: true });

/** Dropped programs (name -> bytes) and picked folders (mount point -> filesystem): every shell gets them. */
const dropped = new Map();
const mounted = new Map();
let session;

/** Fits the terminal to its box, as a terminal window's resize does; tty_get reads term.cols/rows. */
function fit() {
  const cell = term._core?._renderService?.dimensions?.css?.cell;
  if (!(cell?.width > 0 && cell?.height > 0)) return;
  const cols = Math.max(20, Math.floor(screen.clientWidth / cell.width));
  const rows = Math.max(5, Math.floor(screen.clientHeight / cell.height));
  if (cols !== term.cols || rows !== term.rows) term.resize(cols, rows);
}

/** Writes `bytes` to `path` of a (synchronous) FileSystem, as the host: how a dropped program gets to /bin. */
function putFile(fs, path, bytes) {
  const dir = fs.openRoot();
  try {
    const f = fs.open(dir, path, { write: true, create: true, truncate: true });
    try {
      for (let at = 0; at < bytes.length; ) at += fs.write(f, bytes.subarray(at));
    } finally {
      fs.close(f);
    }
  } finally {
    fs.close(dir);
  }
}

/** Starts a shell: a fresh `/` in memory, /home on OPFS, the folders and programs the user gave. */
function start() {
  const root = new MemoryFileSystem();
  const r = root.openRoot();
  for (const d of ['bin', 'tmp', 'mnt']) root.mkdir(r, d);
  root.close(r);
  for (const [name, bytes] of dropped) putFile(root, `bin/${name}`, bytes);
  const stdin = new SharedStdin();
  const s = { stdin, root, line: '', raw: false, wasi: undefined };
  const output = (b) => term.write(b);
  s.wasi = new WASI({
    // Each command as POSIX shells run one: fork (a copy of the shell in new workers), then exec.
    args: ['sh'],
    env: { PATH: '/bin', HOME: '/home', TERM: 'xterm-256color' },
    root,
    cwd: '/home',
    preopens: { '/home': new DirectoryHandleFileSystem(home) },
    commands,
    stdin,
    stdout: output,
    stderr: output,
    terminal: {
      size: () => ({ cols: term.cols, rows: term.rows }),
      setRawMode: (raw) => {
        s.raw = raw;
        return true;
      },
    },
  });
  for (const [at, fs] of mounted) s.wasi.mount(at, fs);
  session = s;
  s.wasi.run(shell).then(
    (code) => ended(s, `[sh exited ${code}]`),
    (err) => ended(s, `[${err?.name ?? 'Error'}: ${err?.message ?? err}]`),
  );
}

function ended(s, message) {
  if (session !== s) return;
  session = undefined;
  term.write(`\r\n${message} press Enter to start a new shell\r\n`);
}

const send = (text) => {
  if (session.stdin.write(text) < new TextEncoder().encode(text).length) term.write('\x07'); // full: bell
};

term.onData((data) => {
  const s = session;
  if (!s) {
    if (data === '\r') start();
    return;
  }
  if (s.raw) {
    // Raw: everything goes through (Ctrl-C too, as with ISIG off in `stty raw`), unechoed.
    send(data);
    return;
  }
  for (const ch of data) {
    if (ch === '\x03') {
      // ^C: the line is dropped and the foreground group interrupted. As Linux echoes ^C and the shell
      // starts the new line after the job it ended, the line ends here only when the shell was alone.
      term.write('^C');
      s.line = '';
      if (s.wasi.signalForeground('SIGINT') <= 1) term.write('\r\n');
    } else if (ch === '\x04') {
      if (s.line === '') s.stdin.eof();
      else send(s.line);
      s.line = '';
    } else if (ch === '\r') {
      term.write('\r\n');
      send(`${s.line}\n`);
      s.line = '';
    } else if (ch === '\x7f' || ch === '\b') {
      if (s.line.length > 0) {
        s.line = [...s.line].slice(0, -1).join('');
        term.write('\b \b');
      }
    } else if (ch >= ' ') {
      s.line += ch;
      term.write(ch);
    }
  }
});

/** A mount point for a picked folder: /mnt/<its name>, made a plain name, numbered when taken. */
function mountPointFor(name) {
  const base = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'folder';
  let at = `/mnt/${base}`;
  for (let i = 2; mounted.has(at); i++) at = `/mnt/${base}-${i}`;
  return at;
}

/**
 * Mounts a directory handle (a folder the user picked, or any FileSystemDirectoryHandle) at /mnt/<name>
 * in the running shell and in every later one; read-only unless the user granted writing.
 */
async function mountFolder(handle) {
  const readOnly = (await handle.queryPermission?.({ mode: 'readwrite' })) !== 'granted';
  const at = mountPointFor(handle.name);
  const fs = { fs: new DirectoryHandleFileSystem(handle), readOnly };
  mounted.set(at, fs);
  session?.wasi.mount(at, fs);
  status.textContent = `mounted ${handle.name} at ${at}${readOnly ? ' (read-only)' : ''}`;
  return at;
}

/** A dropped .wasm becomes a command named by its file name without .wasm (in /bin, for this shell and later ones). */
async function addProgram(file) {
  const name = file.name.replace(/\.wasm$/, '');
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === file.name) {
    status.textContent = `not a command: ${file.name} (drop a NAME.wasm)`;
    return undefined;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  dropped.set(name, bytes);
  if (session) putFile(session.root, `bin/${name}`, bytes);
  status.textContent = `added command ${name}`;
  return name;
}

document.getElementById('mount').addEventListener('click', async () => {
  if (typeof showDirectoryPicker !== 'function') {
    status.textContent = 'this browser has no folder picker (showDirectoryPicker)';
    return;
  }
  try {
    await mountFolder(await showDirectoryPicker({ mode: 'readwrite' }));
  } catch (err) {
    if (err?.name !== 'AbortError') status.textContent = `${err?.name}: ${err?.message}`;
  }
  term.focus();
});
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  for (const file of e.dataTransfer?.files ?? []) void addProgram(file);
});

new ResizeObserver(fit).observe(screen);
fit();
term.focus();
start();
// For the tests: the screen's text line by line, and the two ways in that tests cannot click.
window.terminal = {
  term,
  text: () => Array.from({ length: term.buffer.active.length }, (_x, i) => term.buffer.active.getLine(i)?.translateToString(true) ?? '').join('\n').trimEnd(),
  mountFolder,
  addProgram,
};
document.body.dataset.ready = '';
