import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { MemoryFileSystem } from '../../src/index.js';
import { runWasiKit, tempDir } from '../helpers/run-program.js';

it('MemoryFileSystem.fromHostDirectory seeds a guest; what it writes stays in memory', () => {
  const dir = tempDir('wasi-kit-seed-');
  onTestFinished(dir.cleanup);
  const host = dir.path;
  mkdirSync(join(host, 'sub'));
  writeFileSync(join(host, 'sub', 'a.txt'), 'one two\n');
  const mem = MemoryFileSystem.fromHostDirectory(host);
  expect(new TextDecoder().decode(mem.toFiles()['/sub/a.txt'])).toBe('one two\n');
  const r = runWasiKit('write-file', { args: ['/s/sub/new.txt', 'x'], preopens: { '/s': mem } });
  expect(r.exitCode).toBe(0);
  expect(Object.keys(mem.toFiles()).sort()).toEqual(['/sub/a.txt', '/sub/new.txt']);
  expect(readdirSync(join(host, 'sub'))).toEqual(['a.txt']);
});
