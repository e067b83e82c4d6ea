import { describe, expect, it } from 'vitest';
import { parseArgs, type RunConfig } from '../../src/cli/args.js';
import { programPath } from '../helpers/run-program.js';
import { cli } from './cli-helpers.js';

describe('wasi-kit run: network grants', () => {
  it('reads --net-listen, --net-connect (repeatable) and --net-allow-all', () => {
    const c = parseArgs(['run', '--net-listen', '127.0.0.1:8080', '--net-connect=localhost:80-90', '--net-connect', '[::1]:*', 'm.wasm']) as RunConfig;
    expect(c.network).toEqual({ listen: ['127.0.0.1:8080'], connect: ['localhost:80-90', '[::1]:*'] });
    expect((parseArgs(['run', '--net-allow-all', 'm.wasm']) as RunConfig).network).toEqual({ listen: ['*:*'], connect: ['*:*'] });
    expect((parseArgs(['run', 'm.wasm']) as RunConfig).network).toBeUndefined();
  });

  it('gives the guest no network without a flag, and what the flags grant with them', () => {
    const none = cli(['run', programPath('wasix-net'), 'resolve', 'localhost']);
    expect(none.stdout.toString()).toBe('resolve: acces\n');
    expect(none.status).toBe(1);
    const granted = cli(['run', '--net-connect', 'localhost:*', programPath('wasix-net'), 'resolve', 'localhost']);
    expect(granted.stdout.toString()).toContain('inet4 127.0.0.1\n');
    expect(granted.status).toBe(0);
    const listen = cli(['run', '--net-listen', '127.0.0.1:*', programPath('wasix-net'), 'listen-errno', '0']);
    expect(listen.stdout.toString()).toBe('bind: ok\nlisten: ok\n');
  });

  it('rejects a bad pattern, naming the option', () => {
    const r = cli(['run', '--net-listen', '127.0.0.1', programPath('wasix-net'), 'opts']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.toString()).toContain('options.network.listen[0]');
    expect(r.stdout.length).toBe(0);
  });
});
