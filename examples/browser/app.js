// The demo page: chooses a program, keeps the /sandbox files between runs, and runs each program in a
// worker (worker.js), showing what it wrote, the files it left and its syscalls.
const SAMPLES = {
  wc: {
    help: 'Counts lines, words and bytes of the files named in its arguments.',
    args: '/sandbox/poem.txt /sandbox/notes.txt',
  },
  lined: {
    help: 'A tiny line editor: edits the file named in its argument with commands from stdin (p print, a TEXT append, i N TEXT insert, c N TEXT change, d N delete, w write, q quit).',
    args: '/sandbox/notes.txt',
    stdin: 'p\na milk\nc 2 bread (wholemeal)\nw\np\n',
  },
  'write-file': {
    help: 'Writes its arguments, one per line, to a new file, then $NOTE. Download it from the Files panel.',
    args: '/sandbox/hello.txt "Hello from WASI" "written in your browser"',
    env: 'NOTE=saved by write-file',
  },
  hello: { help: 'Prints a greeting.' },
  'args-env': { help: 'Prints its arguments and environment.', args: 'one "two words"', env: 'LANG=C\nUSER=guest' },
  'stdin-echo': { help: 'Copies stdin to stdout and counts the bytes on stderr.', stdin: 'echo this line\nand this one\n' },
  'threads/work': {
    help: 'Threads: a CPU-bound job split over N threads (arguments: threads, rounds), each in its own worker over one shared memory; the sum is the same for any N.',
    args: '4 200000',
  },
  'threads/wasix-mutex': {
    help: 'WASIX threads: N threads increment one counter under a futex mutex (arguments: threads, increments).',
    args: '4 20000',
  },
  'proc/fork': {
    help: 'Processes: forks (WASIX proc_fork), a copy of the program in new workers over a copy of its memory; each side prints what it sees (arguments: memory, pipe, setjmp, chain N). For a shell that forks, open the terminal.',
    args: 'memory',
  },
};

const START_FILES = {
  '/poem.txt': 'A program in a page\nreads files that are not there:\nmemory, made to look like disk.\n',
  '/notes.txt': 'eggs\nbread\n',
};

const $ = (id) => document.getElementById(id);
const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });

let files = {};
let program = { name: 'wc', wasm: undefined };
let worker;
let editing;

function resetFiles() {
  files = Object.fromEntries(Object.entries(START_FILES).map(([path, text]) => [path, encoder.encode(text)]));
  renderFiles(new Set());
}

/** argv after argv[0], split like a shell: whitespace separates, "..." or '...' keep spaces. */
function parseArgs(text) {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

function parseEnv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (line.trim() !== '' && at > 0) env[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return env;
}

const asText = (bytes) => {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
};

function renderFiles(changed) {
  const body = $('files').tBodies[0];
  body.replaceChildren();
  const paths = Object.keys(files).sort();
  if (paths.length === 0) {
    const row = body.insertRow();
    const cell = row.insertCell();
    cell.colSpan = 3;
    cell.className = 'hint';
    cell.textContent = 'No files.';
  }
  for (const path of paths) {
    const row = body.insertRow();
    row.dataset.path = path;
    if (changed.has(path)) row.classList.add('changed');
    Object.assign(row.insertCell(), { className: 'path', textContent: `/sandbox${path}` });
    Object.assign(row.insertCell(), { className: 'size', textContent: String(files[path].length) });
    const buttons = row.insertCell();
    buttons.className = 'buttons';
    const button = (label, action, disabled = false) => {
      const b = Object.assign(document.createElement('button'), { type: 'button', className: 'small', textContent: label, disabled });
      b.dataset.action = action;
      b.addEventListener('click', () => fileAction(action, path));
      buttons.append(b, ' ');
    };
    button('Edit', 'edit', asText(files[path]) === undefined);
    button('Download', 'download');
    button('Delete', 'delete');
  }
}

function fileAction(action, path) {
  if (action === 'edit') openEditor(path);
  if (action === 'delete') {
    delete files[path];
    renderFiles(new Set());
  }
  if (action === 'download') {
    const url = URL.createObjectURL(new Blob([files[path]], { type: 'application/octet-stream' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: path.split('/').pop() });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}

function openEditor(path) {
  editing = path;
  $('editor').hidden = false;
  $('editor-path').value = path === undefined ? '/sandbox/new.txt' : `/sandbox${path}`;
  $('editor-text').value = path === undefined ? '' : asText(files[path]);
  $('editor-text').focus();
}

function saveEditor() {
  const path = $('editor-path').value.trim().replace(/^\/sandbox(?=\/)/, '');
  if (!path.startsWith('/') || path.endsWith('/') || path.split('/').some((p) => p === '..' || p === '.')) {
    $('editor-path').setCustomValidity('a path under /sandbox, such as /sandbox/notes.txt');
    $('editor-path').reportValidity();
    return;
  }
  $('editor-path').setCustomValidity('');
  if (editing !== undefined && editing !== path) delete files[editing];
  files[path] = encoder.encode($('editor-text').value);
  closeEditor();
  renderFiles(new Set());
}

function closeEditor() {
  editing = undefined;
  $('editor').hidden = true;
}

function chooseSample(name) {
  const s = SAMPLES[name];
  program = { name, wasm: undefined };
  $('sample').value = name;
  $('sample-help').textContent = s.help;
  $('program-name').textContent = `${name}.wasm (sample)`;
  $('args').value = s.args ?? '';
  $('env').value = s.env ?? '';
  $('stdin').value = s.stdin ?? '';
}

async function chooseOwn(file) {
  program = { name: file.name.replace(/\.wasm$/, ''), wasm: await file.arrayBuffer() };
  $('sample').value = '';
  $('sample-help').textContent = 'Your own program. It runs sandboxed: it sees only its arguments, environment, stdin and /sandbox.';
  $('program-name').textContent = `${file.name} (${program.wasm.byteLength} bytes, yours)`;
}

function setStatus(text, failed = false) {
  $('status').textContent = text;
  $('status').classList.toggle('fail', failed);
}

async function run() {
  for (const id of ['stdout', 'stderr', 'trace']) $(id).textContent = '';
  $('trace-count').textContent = '';
  $('run').disabled = true;
  $('stop').disabled = false;
  setStatus('running…');
  const wasm = program.wasm ?? (await (await fetch(`programs/${program.name}.wasm`)).arrayBuffer());
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  const before = files;
  worker ??= new Worker('worker.js', { type: 'module' });
  worker.onmessage = ({ data }) => {
    if (data.type === 'stdout' || data.type === 'stderr') $(data.type).append(decoders[data.type].decode(data.bytes, { stream: true }));
    if (data.type === 'trace') $('trace').append(data.lines.join('\n') + '\n');
    if (data.type !== 'done') return;
    files = data.files;
    const changed = new Set(Object.keys(files).filter((p) => !before[p] || before[p].join() !== files[p].join()));
    renderFiles(changed);
    const shown = Math.min(data.syscalls, 2000);
    $('trace-count').textContent = `(${data.syscalls} calls${shown < data.syscalls ? `, first ${shown} shown` : ''})`;
    const time = `${data.ms.toFixed(1)} ms`;
    if (data.error) setStatus(`failed: ${data.error} · ${time}`, true);
    else setStatus(`exit code ${data.exitCode} · ${time} · ${data.syscalls} syscalls`, data.exitCode !== 0);
    finish();
  };
  worker.onerror = (e) => {
    setStatus(`worker error: ${e.message}`, true);
    worker = undefined;
    finish();
  };
  const args = [program.name, ...parseArgs($('args').value)];
  worker.postMessage({ wasm, args, env: parseEnv($('env').value), stdin: encoder.encode($('stdin').value), files });
}

function finish() {
  $('run').disabled = false;
  $('stop').disabled = true;
}

function stop() {
  worker?.terminate();
  worker = undefined;
  setStatus('stopped; files are as they were before the run', true);
  finish();
}

function setUp() {
  for (const name of Object.keys(SAMPLES)) $('sample').add(new Option(`${name} — ${SAMPLES[name].help.split(':')[0].replace(/\.$/, '')}`, name));
  $('sample').add(new Option('(your own .wasm)', '', false, false));
  $('sample').options[$('sample').options.length - 1].disabled = true;
  $('sample').addEventListener('change', () => chooseSample($('sample').value));
  $('wasm-file').addEventListener('change', () => $('wasm-file').files[0] && chooseOwn($('wasm-file').files[0]));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer.files[0];
    if (file) chooseOwn(file);
  });
  $('run').addEventListener('click', () => run().catch((err) => (setStatus(`failed: ${err.message}`, true), finish())));
  $('stop').addEventListener('click', stop);
  $('new-file').addEventListener('click', () => openEditor(undefined));
  $('reset-files').addEventListener('click', resetFiles);
  $('save-file').addEventListener('click', saveEditor);
  $('close-editor').addEventListener('click', closeEditor);
  $('isolation').textContent = crossOriginIsolated
    ? 'Programs run in a Web Worker, so this page stays responsive and Stop can end them; the page is cross-origin isolated, so they can also sleep.'
    : 'Programs run in a Web Worker. This page is not cross-origin isolated, so a program that sleeps gets ENOTSUP.';
  chooseSample('wc');
  resetFiles();
  document.body.dataset.ready = 'true';
}

setUp();
