import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, programPath } from '../helpers/run-program.js';

// The guest runs in a child whose stdin is a pipe this test writes to in chunks, with pauses.
const CHILD = `
import { readFileSync } from 'node:fs';
const { WASI } = await import(process.env.WASI_KIT);
const wasi = new WASI({ version: 'preview1', args: ['interactive'], stdin: process.stdin });
const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(process.env.WASM)), wasi.getImportObject());
process.exitCode = wasi.start(instance);
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('interactive stdin from process.stdin (a pipe read by the I/O worker)', () => {
  it('answers each line as it arrives, before stdin ends', async () => {
    const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', WASI_KIT: pathToFileURL(join(REPO_ROOT, 'src/index.ts')).href, WASM: programPath('interactive') },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const waitFor = async (text: string) => {
      for (let i = 0; i < 200 && !out.includes(text); i++) await sleep(50);
      expect(out, err).toContain(text);
    };
    try {
      // A first line answered proves the guest is running and reading: the silence asserted next
      // is the guest waiting in fd_read, not a child still starting up.
      child.stdin.write('ready\n');
      await waitFor('> ready\n');
      child.stdin.write('hel');
      await sleep(300);
      expect(out).toBe('> ready\n'); // half a line: no answer yet
      child.stdin.write('lo\n');
      await waitFor('> hello\n');
      await sleep(200);
      child.stdin.write('second\nthird');
      await waitFor('> second\n');
      expect(out).not.toContain('third');
      await sleep(200);
      child.stdin.end('\n');
      expect(await exited).toBe(0);
      expect(out).toBe('> ready\n> hello\n> second\n> third\nbye after 4 lines\n');
    } finally {
      child.kill();
    }
  });
});
