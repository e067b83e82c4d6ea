// The CLI forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to a guest running in workers as WASIX signals.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-program.js';

const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const proc = (name: string) => join(REPO_ROOT, 'test/programs/proc', `${name}.wasm`);

function runUntilReady(signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', '--import', TSX, join(REPO_ROOT, 'src/cli.ts'), 'run', '--command', `status=${proc('status')}`, proc('spawner'), 'hold'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout === 'ready\n') child.kill(signal);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout }));
  });
}

describe('wasi-kit run: signals', () => {
  it('SIGTERM and SIGINT end a guest without a handler with 128 + the signal number', async () => {
    expect(await runUntilReady('SIGTERM')).toEqual({ code: 143, stdout: 'ready\n' });
    expect(await runUntilReady('SIGINT')).toEqual({ code: 130, stdout: 'ready\n' });
  }, 60_000);
});
