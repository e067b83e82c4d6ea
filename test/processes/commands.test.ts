// ls and cat (test/programs/proc/ls.c, cat.c), the terminal demo's commands: the same output under
// node:wasi (the oracle) and wasi-kit over one host directory, and what the directory holds as Node reads it.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInChild } from '../helpers/run-program.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasi-kit-ls-'));
  writeFileSync(join(dir, 'b.txt'), 'hello\n');
  writeFileSync(join(dir, 'a.bin'), new Uint8Array(70_000));
  writeFileSync(join(dir, '.hidden'), 'x');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'inner'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (host: 'node:wasi' | 'wasi-kit', args: string[], program = 'proc/ls', stdin = '') => {
  const r = runInChild(host, program, { args, preopens: { '/d': dir }, stdin });
  return { out: r.stdout.toString(), err: r.stderr.toString(), status: r.status };
};

describe('ls', () => {
  it('lists names sorted, dot files only with -a; -l gives type and size, as Node sees the directory', () => {
    const names = readdirSync(dir).sort();
    const long = (n: string) => {
      const st = statSync(join(dir, n));
      return `${st.isDirectory() ? 'd' : '-'} ${String(st.size).padStart(10)} ${n}`;
    };
    const plain = run('wasi-kit', ['/d']);
    expect(plain).toEqual({ out: names.filter((n) => !n.startsWith('.')).map((n) => `${n}\n`).join(''), err: '', status: 0 });
    const l = run('wasi-kit', ['-la', '/d']);
    expect(l.out.split('\n').slice(2, -1)).toEqual(names.map(long));
    // . and .. first (.. of a preopen cannot be looked at: `?`, as the sandbox keeps it out of reach).
    expect(l.out.split('\n').slice(0, 2).map((s) => s.split(' ').pop())).toEqual(['.', '..']);
  });

  it('gives what node:wasi gives: several paths with headings, a file, a missing path (exit 1), a bad option (exit 2)', () => {
    for (const args of [['/d', '/d/sub'], ['-l', '/d/b.txt'], ['/d/nope'], ['-x'], ['-l', '/d']]) {
      const ours = run('wasi-kit', args);
      expect(ours, args.join(' ')).toEqual(run('node:wasi', args));
    }
    expect(run('wasi-kit', ['/d/nope'])).toEqual({ out: '', err: 'ls: /d/nope: No such file or directory\n', status: 1 });
    expect(run('wasi-kit', ['/d', '/d/sub']).out).toBe('/d:\na.bin\nb.txt\nsub\n\n/d/sub:\ninner\n');
  });
});

describe('cat', () => {
  it('copies files and stdin (no argument, or -) in order; a file it cannot read is reported, exit 1, the rest still copied', () => {
    const args = ['/d/b.txt', '-', '/d/nope', '/d/sub/inner', '/d/b.txt'];
    const ours = run('wasi-kit', args, 'proc/cat', 'from stdin\n');
    expect(ours).toEqual(run('node:wasi', args, 'proc/cat', 'from stdin\n'));
    expect(ours).toEqual({ out: 'hello\nfrom stdin\nhello\n', err: 'cat: /d/nope: No such file or directory\n', status: 1 });
    expect(run('wasi-kit', [], 'proc/cat', 'only stdin')).toEqual({ out: 'only stdin', err: '', status: 0 });
  });
});
