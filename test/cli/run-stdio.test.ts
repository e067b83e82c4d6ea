import { describe, expect, it } from 'vitest';
import { programPath } from '../helpers/run-program.js';
import { cli } from './cli-helpers.js';

describe('wasi-kit run: stdio, arguments, environment and exit codes', () => {
  it('runs hello and adds nothing of its own', () => {
    const r = cli(['run', programPath('hello')]);
    expect(r.stdout.toString()).toBe('hello, world\n');
    expect(r.stderr.length).toBe(0);
    expect(r.status).toBe(0);
  });

  it('passes a last line without a newline on stdout and stderr', () => {
    const r = cli(['run', programPath('stdout-no-newline')]);
    expect(r.stdout.toString()).toBe('no newline at end');
    expect(r.stderr.toString()).toBe('err');
    expect(r.status).toBe(0);
  });

  it('passes stdin through byte for byte', () => {
    const input = new Uint8Array(256 * 40).map((_, i) => (i * 7) & 0xff);
    const r = cli(['run', programPath('stdin-echo')], { stdin: input });
    expect(Buffer.compare(r.stdout, Buffer.from(input))).toBe(0);
    expect(r.stderr.toString()).toBe(`bytes=${input.length}\n`);
    expect(r.status).toBe(0);
  });

  it("exits with the guest's exit code, 8 bits as the OS keeps it", () => {
    expect(cli(['run', programPath('exit-code')]).status).toBe(0);
    expect(cli(['run', programPath('exit-code'), '3']).status).toBe(3);
    expect(cli(['run', programPath('exit-code'), '300']).status).toBe(300 & 0xff);
  });

  it('exits 134 on a trap, after what the guest wrote, with one line on stderr', () => {
    const r = cli(['run', programPath('trap')]);
    expect(r.status).toBe(134);
    expect(r.stdout.toString()).toBe('before trap\n');
    expect(r.stderr.toString()).toBe('wasi-kit: trap: unreachable\n');
  });

  it('gives the guest its file, its arguments and exactly the --env variables', () => {
    const wasm = programPath('args-env');
    const r = cli(['run', '--env', 'A=1', '--env=B=x=y', '--version', 'preview1', wasm, '--', '--env', 'C=3', '']);
    expect(r.stdout.toString()).toBe([`argc=4`, `argv[0]=${wasm}`, 'argv[1]=--env', 'argv[2]=C=3', 'argv[3]=', 'env: A=1', 'env: B=x=y', ''].join('\n'));
    expect(r.status).toBe(0);
  });

  it('lets nothing from the host environment in (the child has PATH and HOST_SECRET)', () => {
    const wasm = programPath('args-env');
    const r = cli(['run', wasm]);
    expect(r.stdout.toString()).toBe(`argc=1\nargv[0]=${wasm}\n`);
  });
});
