import { describe, expect, it } from 'vitest';
import { runWasiKit } from '../helpers/run-program.js';

describe('sleep', () => {
  it('sleeps 1 s on the monotonic clock without spinning the CPU', () => {
    const before = process.cpuUsage();
    const r = runWasiKit('sleep', { args: ['1000'] });
    const cpu = process.cpuUsage(before);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    expect(r.exitCode).toBe(0);
    const ms = Number(/^slept (\d+) ms\n$/.exec(r.stdout.toString())?.[1]);
    expect(ms).toBeGreaterThanOrEqual(1000);
    // A generous bound: a busy wait would burn about 1 s.
    expect(cpuSeconds).toBeLessThan(0.2);
  });
});
