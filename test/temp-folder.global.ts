/**
 * vitest's global setup: the run gets a temporary folder of its own (TMPDIR, which os.tmpdir() and
 * every child process follow), and at the end whatever a test left in it fails the run, named. Its
 * own folder, so another run on the same machine can neither hide a leak nor be blamed for one.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** tsx's compile cache (from children run with `--import tsx`): tsx's own, reused, not a test's. */
const NOT_A_TEST_FILE = /^tsx-\d+$/;

export default function setup() {
  const outer = process.env.TMPDIR;
  const folder = mkdtempSync(join(tmpdir(), 'wasi-kit-test-run-'));
  process.env.TMPDIR = folder;
  return () => {
    if (outer === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = outer;
    const left = readdirSync(folder).filter((name) => !NOT_A_TEST_FILE.test(name));
    if (left.length > 0) {
      // A throw here is only logged by vitest: the exit code is what makes the run fail.
      console.error(`\nFAIL: tests left temporary files in ${folder} (kept for a look): ${left.join(', ')}\n`);
      process.exitCode = 1;
      return;
    }
    rmSync(folder, { recursive: true, force: true });
  };
}
