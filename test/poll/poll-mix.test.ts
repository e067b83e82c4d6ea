import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI } from '../../src/index.js';
import { SharedStdin } from '../../src/stdin/shared-stdin.js';
import { compileProgram } from '../helpers/run-program.js';
import { ERRNO } from '../runtime/harness.js';

function pollMix(stdin: ConstructorParameters<typeof WASI>[0] extends infer O ? (O extends { stdin?: infer S } ? S : never) : never) {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const wasi = new WASI({
    version: 'preview1',
    args: ['poll-mix', '/sandbox'],
    preopens: { '/sandbox': new MemoryFileSystem({}) },
    stdin,
    stdout: (b) => out.push(b),
    stderr: (b) => err.push(b),
  });
  const exitCode = wasi.start(new WebAssembly.Instance(compileProgram('poll-mix'), wasi.getImportObject() as WebAssembly.Imports));
  return { exitCode, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

const lines = (stdin: string) => [
  `files: read nbytes=5 write ok badf=${ERRNO.badf}`,
  stdin,
  'clocks: 2 events',
  'abstime: ok',
  'cputime: ok',
  `errors: zero=${ERRNO.inval} clock=${ERRNO.inval}`,
  '',
];

describe('poll-mix: poll_oneoff over a file, stdin and clocks', () => {
  it('reports stdin ready with its byte count when the ring holds bytes', () => {
    const stdin = new SharedStdin(64);
    stdin.write('abc');
    const r = pollMix(stdin);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual(lines('stdin: ready nbytes=3'));
    expect(r.exitCode).toBe(0);
  });

  it('lets the clock fire while stdin waits for bytes', () => {
    const r = pollMix(new SharedStdin(64));
    expect(r.stdout.split('\n')).toEqual(lines('stdin: timeout'));
    expect(r.exitCode).toBe(0);
  });

  it('takes fixed stdin bytes as ready at once', () => {
    const r = pollMix('xy');
    expect(r.stdout.split('\n')[1]).toBe('stdin: ready nbytes=2');
  });
});
