import { describe, expect, it } from 'vitest';
import { parseArgs, type RunConfig } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/usage-error.js';

const run = (argv: string[]) => parseArgs(['run', ...argv]) as RunConfig;
const usage = (argv: string[]) => {
  try {
    parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('parseArgs', () => {
  it('takes options before the module and gives the guest everything after it', () => {
    expect(run(['--dir', 'a', '--env', 'K=V', 'm.wasm', '--dir', 'x', '--', 'y'])).toEqual({
      command: 'run',
      wasm: 'm.wasm',
      guestArgs: ['--dir', 'x', '--', 'y'],
      dirs: [{ host: 'a', guest: 'a' }],
      env: { K: 'V' },
      fs: 'host',
      version: 'auto',
      trace: undefined,
    });
    expect(run(['m.wasm', '--', '--help']).guestArgs).toEqual(['--help']);
    expect(run(['--', 'm.wasm', 'a']).guestArgs).toEqual(['a']);
  });

  it('reads --dir, --mapdir, --env, --fs, --version and --trace in both spellings', () => {
    const c = run(['--dir=h::/g', '--mapdir', '/m::hm', '--mapdir=/old:ho', '--env=A=b=c', '--fs=memory', '--version=ephemeral', '--trace=t.log', 'm.wasm']);
    expect(c.dirs).toEqual([
      { host: 'h', guest: '/g' },
      { host: 'hm', guest: '/m' },
      { host: 'ho', guest: '/old' },
    ]);
    expect(c.env).toEqual({ A: 'b=c' });
    expect([c.fs, c.version, c.trace]).toEqual(['memory', 'ephemeral', { to: 'file', path: 't.log' }]);
    expect(run(['--trace', '--version', 'snapshot0', 'm.wasm'])).toMatchObject({ trace: { to: 'stderr' }, version: 'snapshot0', wasm: 'm.wasm' });
  });

  it('knows help and version', () => {
    expect(parseArgs(['--help'])).toEqual({ command: 'help', topic: 'main' });
    expect(parseArgs(['help', 'run'])).toEqual({ command: 'help', topic: 'run' });
    expect(parseArgs(['run', '-h', 'm.wasm'])).toEqual({ command: 'help', topic: 'run' });
    expect(parseArgs(['-V'])).toEqual({ command: 'version' });
  });

  it('names what is wrong', () => {
    expect(usage([])).toBe('no command given');
    expect(usage(['frobnicate'])).toBe("unknown command 'frobnicate'");
    expect(usage(['--frob'])).toBe("unknown option '--frob'");
    expect(usage(['run'])).toBe('run needs a .wasm file');
    expect(usage(['run', '--bogus', 'm.wasm'])).toBe("unknown option '--bogus'");
    expect(usage(['run', '--env', 'NOEQUALS', 'm.wasm'])).toBe("--env expects NAME=VALUE, got 'NOEQUALS'");
    expect(usage(['run', '--env', '=v', 'm.wasm'])).toBe("--env expects NAME=VALUE, got '=v'");
    expect(usage(['run', '--fs', 'disk', 'm.wasm'])).toBe("--fs expects host or memory, got 'disk'");
    expect(usage(['run', '--version', 'preview9', 'm.wasm'])).toBe("--version expects one of auto, preview1, snapshot0, ephemeral, wasix, wasix64, got 'preview9'");
    expect(usage(['run', '--version'])).toBe('--version expects one of auto, preview1, snapshot0, ephemeral, wasix, wasix64');
    expect(usage(['run', '--mapdir', 'nocolon', 'm.wasm'])).toBe("--mapdir expects GUEST::HOST, got 'nocolon'");
    expect(usage(['run', '--dir', '::/g', 'm.wasm'])).toBe("a directory mapping needs a host path and a guest path, got '::/g'");
    expect(usage(['run', '--dir', '/tmp::/x', '--dir', '/var::/x', 'm.wasm'])).toBe("the guest directory '/x' is given twice");
    expect(usage(['run', '--dir'])).toBe('--dir needs a value');
    expect(usage(['run', '--trace=', 'm.wasm'])).toBe('--trace=FILE needs a file name');
  });
});
