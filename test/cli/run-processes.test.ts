// `wasi-kit run --command NAME=FILE.wasm`: programs a WASIX process spawns by name.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/run-program.js';
import { cli } from './cli-helpers.js';

const proc = (name: string) => join(REPO_ROOT, 'test/programs/proc', `${name}.wasm`);

describe('wasi-kit run --command', () => {
  it('maps names to .wasm files a process can spawn; a name mapped to a missing file is noent', () => {
    const r = cli(['run', '--command', `echo=${proc('echo')}`, '--command', `nosuch=${proc('no-such-file')}`, '--command', `status=${proc('status')}`, proc('spawner'), 'capture']);
    expect(r.stdout.toString()).toBe('spawn 0 captured [hello world\n]\njoin given code 0\n');
    expect(r.status).toBe(0);
    const missing = cli(['run', '--command', `nosuch=${proc('no-such-file')}`, proc('spawner'), 'missing']);
    expect(missing.stdout.toString().split('\n')[0]).toBe('missing 44');
  });

  it('refuses a --command that is not NAME=FILE', () => {
    const r = cli(['run', '--command', 'a/b=x.wasm', proc('spawner')]);
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toMatch(/--command expects NAME=FILE.wasm/);
  });
});

describe('wasi-kit run sh.wasm', () => {
  it('runs our shell (forking): -c with a pipeline, redirections in a --dir, $(...), and 127 for a command not found', () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'in.txt'), 'one\ntwo\nthree\n');
      const commands = ['echo', 'cat', 'wc'].flatMap((n) => ['--command', `${n}=${proc(n)}`]);
      const r = cli(['run', ...commands, '--dir', `${dir.path}::/data`, proc('sh'), '-c', 'cat < /data/in.txt | cat | wc > /data/count; echo [$(cat < /data/count)]; nosuch']);
      expect(r.stdout.toString()).toMatch(/^\[3 14 [0-9a-f]{16}\]\n$/);
      expect(readFileSync(join(dir.path, 'count'), 'utf8')).toBe(r.stdout.toString().slice(1, -2) + '\n');
      expect(r.stderr.toString()).toBe('sh: nosuch: not found\n');
      expect(r.status).toBe(127);
    } finally {
      dir.cleanup();
    }
  });
});
