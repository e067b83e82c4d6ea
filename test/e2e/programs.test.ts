// Every C program of test/programs run under wasi-kit in this process; expectations come from the
// programs' sources and test/programs/README.md.
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI } from '../../src/index.js';
import { programNames, programPath, runWasiKit, tempDir } from '../helpers/run-program.js';

const tested = new Set<string>();
/** Names a describe block after its program and registers it as covered (at collection time). */
const program = (name: string) => (tested.add(name), name);

// all-imports exists for its import section (test/layout); the programs that wait, read stdin
// interactively or serve sockets are driven by their own suites (test/poll, test/stdin, test/sockets).
// rootfs is driven by test/fs/root-program.test.ts and test/cli/run-dirs.test.ts (it needs the root option).
const EXCLUDED = new Set(['all-imports', 'sleep', 'poll-mix', 'interactive', 'echo-server', 'http-responder', 'wasix-net', 'rootfs']);

const text = (b: Buffer) => b.toString('utf8');

describe(program('hello'), () => {
  it('prints the greeting and exits 0', () => {
    const r = runWasiKit('hello');
    expect(r.error).toBeUndefined();
    expect(text(r.stdout)).toBe('hello, world\n');
    expect(text(r.stderr)).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describe(program('args-env'), () => {
  it('sees argv and environ exactly as given, in order', () => {
    const args = ['a', 'b c', 'héllo wörld ✓', ''];
    const env = { FOO: 'bar', EMPTY: '', EQ: 'x=y', ÜNI: 'çødé' };
    const r = runWasiKit('args-env', { args, env });
    const argv = ['args-env', ...args];
    const expected = [
      `argc=${argv.length}`,
      ...argv.map((a, i) => `argv[${i}]=${a}`),
      ...Object.entries(env).map(([k, v]) => `env: ${k}=${v}`),
    ].join('\n');
    expect(text(r.stdout)).toBe(`${expected}\n`);
    expect(r.exitCode).toBe(0);
  });

  it('has no environment at all when none is given', () => {
    process.env.WASI_KIT_E2E_LEAK = 'leaked';
    try {
      const r = runWasiKit('args-env');
      expect(text(r.stdout)).toBe('argc=1\nargv[0]=args-env\n');
    } finally {
      delete process.env.WASI_KIT_E2E_LEAK;
    }
  });
});

describe(program('exit-code'), () => {
  it.each([0, 1, 3, 42, 255])('exit(%i) is returned by start()', (code) => {
    const r = runWasiKit('exit-code', { args: [String(code)] });
    expect(r.error).toBeUndefined();
    expect(r.exitCode).toBe(code);
    expect(r.stdout.length + r.stderr.length).toBe(0);
  });

  it('exits 0 without an argument', () => {
    expect(runWasiKit('exit-code').exitCode).toBe(0);
  });
});

describe(program('stdin-echo'), () => {
  it('copies every byte value, across many reads, and counts them on stderr', () => {
    // 3 full 4096-byte reads and a partial one, with every byte value including NUL and 0xff.
    const input = new Uint8Array(3 * 4096 + 1234).map((_, i) => (i * 131 + 7) & 0xff);
    const r = runWasiKit('stdin-echo', { stdin: input });
    expect(Buffer.compare(r.stdout, Buffer.from(input))).toBe(0);
    expect(text(r.stderr)).toBe(`bytes=${input.length}\n`);
    expect(r.exitCode).toBe(0);
  });

  it('handles empty stdin', () => {
    const r = runWasiKit('stdin-echo', { stdin: '' });
    expect(r.stdout.length).toBe(0);
    expect(text(r.stderr)).toBe('bytes=0\n');
    expect(r.exitCode).toBe(0);
  });
});

describe(program('stdout-no-newline'), () => {
  it('delivers partial lines byte-exact on separate streams', () => {
    const r = runWasiKit('stdout-no-newline');
    expect(Buffer.compare(r.stdout, Buffer.from('no newline at end'))).toBe(0);
    expect(Buffer.compare(r.stderr, Buffer.from('err'))).toBe(0);
    expect(r.exitCode).toBe(0);
  });
});

describe(program('clock'), () => {
  it('passes its resolution, realtime and monotonicity checks', () => {
    const r = runWasiKit('clock');
    expect(text(r.stderr)).toBe('');
    expect(text(r.stdout)).toBe('clock ok\n');
    expect(r.exitCode).toBe(0);
  });
});

describe(program('random'), () => {
  it('passes its randomness checks', () => {
    const r = runWasiKit('random');
    expect(text(r.stderr)).toBe('');
    expect(text(r.stdout)).toBe('random ok\n');
    expect(r.exitCode).toBe(0);
  });
});

const FILES_STEPS = [
  'create', 'write', 'seek', 'read', 'pwrite', 'pread', 'append', 'ftruncate', 'fstat', 'mkdir', 'rename',
];
const FILES_STDOUT =
  [...FILES_STEPS.map((s) => `${s} ok`), 'readdir: a-dir b.txt c.txt', ...['unlink', 'rmdir', 'symlink', 'readlink', 'link', 'nlink', 'cleanup', 'files'].map((s) => `${s} ok`)].join('\n') + '\n';

describe(program('files'), () => {
  it('passes every step on a fresh host directory and leaves it empty', () => {
    const t = tempDir();
    try {
      const r = runWasiKit('files', { args: ['/sandbox'], preopens: { '/sandbox': t.path } });
      expect(text(r.stderr)).toBe('');
      expect(text(r.stdout)).toBe(FILES_STDOUT);
      expect(r.exitCode).toBe(0);
      expect(readdirSync(t.path)).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('passes every step on a MemoryFileSystem and leaves it empty', () => {
    const fs = new MemoryFileSystem();
    const r = runWasiKit('files', { args: ['/sandbox'], preopens: { '/sandbox': fs } });
    expect(text(r.stderr)).toBe('');
    expect(text(r.stdout)).toBe(FILES_STDOUT);
    expect(r.exitCode).toBe(0);
    expect(fs.toFiles()).toEqual({});
  });

  it('works under any guest path given as argv[1]', () => {
    const r = runWasiKit('files', { args: ['/a/b'], preopens: { '/a/b': new MemoryFileSystem() } });
    expect(text(r.stdout)).toBe(FILES_STDOUT);
  });

  it('reports usage and exits 2 without a directory', () => {
    const r = runWasiKit('files');
    expect(text(r.stderr)).toBe('usage: files <dir>\n');
    expect(r.exitCode).toBe(2);
  });
});

describe(program('sandbox-escape'), () => {
  const SECRET = 'top secret\n';
  // Every attempt label the program prints, in order, when every link can be made or was planted.
  const ATTEMPTS = [
    'open ../secret.txt',
    'open sub/../../secret.txt',
    'open ..',
    'open /etc/passwd',
    'create ../created.txt',
    'follow up2 -> ../../x',
    'follow up1 -> ../secret.txt',
    'follow abs -> /etc/passwd',
    'follow hop1 -> hop2 -> ../secret.txt',
    'open parent/secret.txt (parent -> ..)',
  ];

  const checkHeld = (stdout: string, exitCode: number | undefined) => {
    expect(stdout).not.toContain('ESCAPED');
    const lines = stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('sandbox held');
    // Each attempt is reported (refused) exactly once; a refused symlink creation skips its attempt.
    for (const label of ATTEMPTS) {
      const line = lines.find((l) => l.startsWith(`${label}: `));
      const skipped = lines.some((l) => l.startsWith('symlink ') && label.startsWith('follow') && l.includes(label.split(' ')[1]!));
      if (!skipped) expect(line, label).toBeDefined();
    }
    expect(exitCode).toBe(0);
  };

  function hostLayout() {
    const t = tempDir();
    const sandbox = join(t.path, 'sandbox');
    mkdirSync(sandbox);
    writeFileSync(join(t.path, 'secret.txt'), SECRET);
    writeFileSync(join(t.path, 'x'), SECRET);
    return { root: t.path, sandbox, cleanup: t.cleanup };
  }

  it('holds on a host directory, links made by the guest', () => {
    const h = hostLayout();
    try {
      const r = runWasiKit('sandbox-escape', { args: ['/sandbox'], preopens: { '/sandbox': h.sandbox } });
      checkHeld(text(r.stdout), r.exitCode);
      expect(readFileSync(join(h.root, 'secret.txt'), 'utf8')).toBe(SECRET);
      expect(readdirSync(h.root).sort()).toEqual(['sandbox', 'secret.txt', 'x']);
    } finally {
      h.cleanup();
    }
  });

  it('holds on a host directory with escaping links planted by the host', () => {
    const h = hostLayout();
    try {
      symlinkSync('../../x', join(h.sandbox, 'up2'));
      symlinkSync('../secret.txt', join(h.sandbox, 'up1'));
      symlinkSync('/etc/passwd', join(h.sandbox, 'abs'));
      symlinkSync('hop2', join(h.sandbox, 'hop1'));
      symlinkSync('../secret.txt', join(h.sandbox, 'hop2'));
      symlinkSync('..', join(h.sandbox, 'parent'));
      const r = runWasiKit('sandbox-escape', { args: ['/sandbox'], preopens: { '/sandbox': h.sandbox } });
      const stdout = text(r.stdout);
      checkHeld(stdout, r.exitCode);
      for (const label of ATTEMPTS) expect(stdout).toContain(`${label}: `);
      expect(readFileSync(join(h.root, 'secret.txt'), 'utf8')).toBe(SECRET);
      expect(readdirSync(h.root).sort()).toEqual(['sandbox', 'secret.txt', 'x']);
    } finally {
      h.cleanup();
    }
  });

  it('holds on a MemoryFileSystem subdirectory view', () => {
    const fs = new MemoryFileSystem({ '/secret.txt': SECRET, '/x': SECRET, '/sandbox/.keep': '' });
    const r = runWasiKit('sandbox-escape', { args: ['/sandbox'], preopens: { '/sandbox': fs.dir('sandbox') } });
    checkHeld(text(r.stdout), r.exitCode);
    const files = fs.toFiles();
    expect(Object.keys(files).sort()).toEqual(['/sandbox/.keep', '/secret.txt', '/x']);
    expect(Buffer.from(files['/secret.txt']!).toString()).toBe(SECRET);
  });
});

describe(program('trap'), () => {
  it('raises a WebAssembly.RuntimeError from start() after keeping earlier output', () => {
    const r = runWasiKit('trap');
    expect(r.error).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(r.exitCode).toBeUndefined();
    expect(text(r.stdout)).toBe('before trap\n');
  });
});

describe(program('fd-stat'), () => {
  it('reports stdio, the preopens and a fresh open of a preopen', () => {
    const a = tempDir();
    try {
      const r = runWasiKit('fd-stat', {
        args: ['/sandbox'],
        preopens: { '/sandbox': a.path, '/mem': new MemoryFileSystem() },
      });
      expect(r.exitCode).toBe(0);
      const lines = text(r.stdout).trimEnd().split('\n');
      expect(lines).toHaveLength(7);
      // Stdio types are the host's choice; stdin must be readable and stdout/stderr writable.
      expect(lines[0]).toMatch(/^fd 0: type=\S+ access=(rdonly|rdwr)$/);
      expect(lines[1]).toMatch(/^fd 1: type=\S+ access=(wronly|rdwr)$/);
      expect(lines[2]).toMatch(/^fd 2: type=\S+ access=(wronly|rdwr)$/);
      // wasi-libc reports a directory with fd_readdir but no fd_write as O_RDONLY.
      expect(lines.slice(3)).toEqual([
        'fd 3: type=directory access=rdonly',
        'opened dir: type=directory access=rdonly',
        'preopen 3: /sandbox',
        'preopen 4: /mem',
      ]);
    } finally {
      a.cleanup();
    }
  });
});

// The demo programs of examples/browser; expectations from their sources' header comments.
describe(program('wc'), () => {
  it('counts lines, words and bytes per file and in total, as POSIX wc', () => {
    const mem = new MemoryFileSystem({ '/a.txt': 'one two\nthree\n', '/b.txt': 'four five six' });
    const r = runWasiKit('wc', { args: ['/sandbox/a.txt', '/sandbox/b.txt'], preopens: { '/sandbox': mem } });
    expect(text(r.stdout)).toBe('2 3 14 /sandbox/a.txt\n0 3 13 /sandbox/b.txt\n2 6 27 total\n');
    expect(r.exitCode).toBe(0);
  });
  it('a missing file is reported on stderr, the others still counted, exit 1', () => {
    const mem = new MemoryFileSystem({ '/a.txt': 'x y\n' });
    const r = runWasiKit('wc', { args: ['/sandbox/nope', '/sandbox/a.txt'], preopens: { '/sandbox': mem } });
    expect(text(r.stderr)).toMatch(/^wc: \/sandbox\/nope: .+\n$/);
    expect(text(r.stdout)).toContain('1 2 4 /sandbox/a.txt\n');
    expect(r.exitCode).toBe(1);
  });
});

describe(program('lined'), () => {
  it('edits a file with commands from stdin and writes it back', () => {
    const mem = new MemoryFileSystem({ '/f.txt': 'alpha\ngamma\n' });
    const r = runWasiKit('lined', { args: ['/sandbox/f.txt'], preopens: { '/sandbox': mem }, stdin: 'i 2 beta\na delta\nd 1\np\nw\nq\n' });
    expect(text(r.stdout)).toBe('1: beta\n2: gamma\n3: delta\nwrote 17 bytes\n');
    expect(new TextDecoder().decode(mem.toFiles()['/f.txt'])).toBe('beta\ngamma\ndelta\n');
    expect(r.exitCode).toBe(0);
  });
});

describe(program('write-file'), () => {
  it('writes its arguments and $NOTE as lines', () => {
    const mem = new MemoryFileSystem({});
    const r = runWasiKit('write-file', { args: ['/sandbox/out.txt', 'a', 'bc'], env: { NOTE: 'n' }, preopens: { '/sandbox': mem } });
    expect(new TextDecoder().decode(mem.toFiles()['/out.txt'])).toBe('a\nbc\nn\n');
    expect(text(r.stdout)).toBe('wrote 7 bytes to /sandbox/out.txt\n');
    expect(r.exitCode).toBe(0);
  });
});

describe(program('tty-keys'), () => {
  it('answers lines, reports the terminal of options.terminal, and turns it raw and back', async () => {
    const raw: boolean[] = [];
    const out: Uint8Array[] = [];
    const wasi = new WASI({
      version: 'auto',
      args: ['tty-keys'],
      stdin: 'hi\nsize\nraw\nxq\n',
      stdout: (b) => void out.push(b),
      terminal: { size: () => ({ cols: 90, rows: 33 }), setRawMode: (r) => (raw.push(r), true) },
    });
    const code = await wasi.run(readFileSync(programPath('tty-keys')));
    expect({ code, out: Buffer.concat(out).toString() }).toEqual({
      code: 0,
      out: 'tty 90x33\n$ > hi\n$ tty 90x33\n$ raw: press keys, q to stop\nkey 120\ncooked\n$ > \n$ bye\n',
    });
    expect(raw).toEqual([true, false]);
  });
});

it('tests every program in test/programs', () => {
  const present = programNames().filter((n) => !EXCLUDED.has(n));
  expect([...tested].sort()).toEqual(present);
  expect(programNames()).toEqual(expect.arrayContaining([...EXCLUDED]));
});
