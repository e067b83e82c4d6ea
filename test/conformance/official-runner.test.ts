/**
 * The official wasi-testsuite runner (`../shared/wasi-testsuite/run-tests`) with wasi-kit's adapter
 * (`wasi_kit.py`), as a user runs it: a second check beside `wasi-testsuite.test.ts`, through the
 * command line. It needs Python >= 3.12 with colorama; without one this test fails, naming what to
 * install (see `python.ts`). The suite is copied first: the runner works in the fixture directories.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/run-program.js';
import { RUNNER_PYTHON_MISSING, findRunnerPython } from './python.js';
import { TESTSUITE_DIR, copyWritable } from './suite.js';

interface RunnerJson {
  results: { name: string; failed: number; passed: number; skipped: number; tests: { name: string; outcome: string; failures: unknown[] }[] }[];
}

describe('the official wasi-testsuite runner with test/conformance/wasi_kit.py', () => {
  it('passes all 72 preview1 cases (host filesystem)', { timeout: 20 * 60_000 }, () => {
    const found = findRunnerPython();
    if (found === undefined) throw new Error(RUNNER_PYTHON_MISSING);
    const t = tempDir();
    try {
      const suite = join(t.path, 'wasi-testsuite');
      copyWritable(TESTSUITE_DIR, suite);
      const json = join(t.path, 'results.json');
      const r = spawnSync(
        found.python,
        ['run-tests', '--runtime-adapter', join(REPO_ROOT, 'test/conformance/wasi_kit.py'), '--disable-colors', '--json-output-location', json],
        { cwd: suite, encoding: 'utf8', env: { ...process.env, ...found.env }, timeout: 19 * 60_000 },
      );
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      const results = (JSON.parse(readFileSync(json, 'utf8')) as RunnerJson).results;
      const failed = results.flatMap((s) => s.tests.filter((c) => c.outcome !== 'pass').map((c) => `${s.name}: ${c.name} ${c.outcome} ${JSON.stringify(c.failures)}`));
      expect(failed).toEqual([]);
      expect(results.reduce((n, s) => n + s.passed, 0)).toBe(72);
    } finally {
      t.cleanup();
    }
  });
});
