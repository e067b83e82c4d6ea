/**
 * Every preview1 case of the official wasi-testsuite, run the way the case's JSON says (args, env, a
 * root directory preopened as `/`, exit code, stdout and stderr read as the official runner reads
 * them), with wasi-kit on the host filesystem (a fresh copy of the fixture directory per case) and on
 * the memory filesystem (the fixture copied into memory). No skip list: a case that fails here fails
 * the suite.
 */
import { describe, expect, it } from 'vitest';
import { runCase, suiteCases } from './suite.js';

const cases = suiteCases();

describe('wasi-testsuite (wasm32-wasip1), every case', () => {
  it('finds the 72 cases of the three suites', () => {
    expect(cases.length).toBe(72);
    expect(new Set(cases.map((c) => c.suite))).toEqual(new Set(['assemblyscript', 'c', 'rust']));
  });

  for (const fs of ['host', 'memory'] as const) {
    describe(`on the ${fs} filesystem`, () => {
      for (const c of cases) {
        it(`${c.suite}/${c.name}`, () => {
          expect(runCase(c, fs)).toEqual([]);
        });
      }
    });
  }
});
