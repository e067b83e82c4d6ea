// The README's test command and .ci/run install the same Debian packages: a new user who follows
// the README gets what CI has, so no test fails (or, before, skipped) on a fresh machine only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-program.js';

/** The packages of each `apt-get install` in `text`, options dropped. */
const aptPackages = (text: string) =>
  [...text.matchAll(/apt-get install ([^&>\n]+)/g)].flatMap((m) => m[1]!.trim().split(/\s+/).filter((w) => !w.startsWith('-'))).sort();

it("the README's test command installs exactly the Debian packages .ci/run installs", () => {
  const readme = aptPackages(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').split('\n').find((l) => l.includes('apt-get install') && l.includes('npm test')) ?? '');
  const ci = aptPackages(readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8'));
  expect(ci).toContain('python3');
  expect(readme).toEqual(ci);
});
