import { describe, expect, it } from 'vitest';
import { runWasiKit } from '../helpers/run-program.js';

// That a sleep does not spin is a figure of the benchmarks (poll-sleep), not a test: CPU time on a
// loaded machine says nothing reliable.
describe('sleep', () => {
  it('sleeps at least the time asked on the monotonic clock', () => {
    const r = runWasiKit('sleep', { args: ['200'] });
    expect(r.exitCode).toBe(0);
    const ms = Number(/^slept (\d+) ms\n$/.exec(r.stdout.toString())?.[1]);
    expect(ms).toBeGreaterThanOrEqual(200);
  });
});
