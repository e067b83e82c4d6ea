// The host's stdin when Node has put it in non-blocking mode: a Node program that touched
// process.stdin (over a pipe, libuv sets O_NONBLOCK on fd 0) and then runs a guest. A read with
// nothing there yet answers EAGAIN; the guest must wait for the bytes, not see `again` or an end.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, programPath, tempDir } from '../helpers/run-program.js';

const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

describe('stdin from a non-blocking host fd', () => {
  it('waits out EAGAIN: every byte written later, in pieces, reaches the guest, then the end', async () => {
    const dir = tempDir();
    const child = join(dir.path, 'nonblocking-stdin.ts');
    writeFileSync(
      child,
      `import { readFileSync } from 'node:fs';
      import { WASI } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src/index.ts')).href)};
      process.stdin.pause(); // opens fd 0 as a libuv pipe: now non-blocking
      const wasi = new WASI({ version: 'preview1', args: ['stdin-echo'], returnOnExit: true });
      const module = new WebAssembly.Module(readFileSync(${JSON.stringify(programPath('stdin-echo'))}));
      const instance = new WebAssembly.Instance(module, wasi.getImportObject());
      process.stderr.write('ready\\n');
      process.exitCode = wasi.start(instance);`,
    );
    const proc = spawn(process.execPath, ['--no-warnings', '--import', TSX, child], { stdio: ['pipe', 'pipe', 'pipe'] });
    const pieces = ['first ', 'second ', 'third\n'];
    let stdout = '';
    let stderr = '';
    // Each piece once the guest is already reading (it prints `ready` just before it starts).
    const next = () => {
      const piece = pieces.shift();
      if (piece === undefined) proc.stdin.end();
      else {
        proc.stdin.write(piece);
        setTimeout(next, 100);
      }
    };
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => {
      if (stderr === '' && d.toString().startsWith('ready')) setTimeout(next, 100);
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    dir.cleanup();
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: 'first second third\n', stderr: 'ready\nbytes=19\n' });
  }, 60_000);
});
