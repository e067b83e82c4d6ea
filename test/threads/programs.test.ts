import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink } from './helpers.js';

// Freestanding C programs of test/programs/threads (built by scripts/build-programs.sh).
const program = (name: string) => readFileSync(join(REPO_ROOT, 'test/programs/threads', `${name}.wasm`));

/** work.c's sum, computed here independently: an xorshift walk of `rounds` steps from each seed 1..1024. */
function workSum(rounds: number): bigint {
  const M = (1n << 64n) - 1n;
  let sum = 0n;
  for (let seed = 1n; seed <= 1024n; seed++) {
    let x = seed;
    for (let i = 0; i < rounds; i++) {
      x ^= (x << 13n) & M;
      x ^= x >> 7n;
      x ^= (x << 17n) & M;
    }
    sum = (sum + x) & M;
  }
  return sum;
}

describe('threaded C programs', () => {
  it('work: the same sum with 1, 2 and 4 wasi-threads, and the one computed here', async () => {
    const rounds = 300;
    const expected = `sum ${workSum(rounds)}\n`;
    for (const threads of [1, 2, 4]) {
      const out = textSink();
      const code = await new WASI({ args: ['work', String(threads), String(rounds)], stdout: out.write }).run(program('work'));
      expect({ threads, code, out: out.text() }).toEqual({ threads, code: 0, out: expected });
    }
  });

  it('wasix-mutex: 4 WASIX threads keep a plain counter exact under a futex mutex, and each reports', async () => {
    const out = textSink();
    const code = await new WASI({ version: 'wasix', args: ['wasix-mutex', '4', '5000'], stdout: out.write }).run(program('wasix-mutex'));
    const lines = out.text().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.pop()).toBe('counter 20000');
    expect(lines.sort()).toEqual(['thread 0 done', 'thread 1 done', 'thread 2 done', 'thread 3 done']);
    expect(code).toBe(0);
  });
});
