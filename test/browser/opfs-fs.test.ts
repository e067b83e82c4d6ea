// The filesystem behaviour suite both bundled backends pass (test/fs/filesystem-behaviour.test.ts), run
// in Chromium against DirectoryHandleFileSystem over OPFS (a picked folder's handles are the same type,
// so the same code). Each test body runs as a guest call does under the thread dispatcher: parked at
// each asynchronous step and replayed (test/browser/opfs/suite-entry.ts). What the File System API
// cannot express fails with the errno listed here, and that is asserted too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from './chromium.js';
import { bundleForPage } from './opfs-bundle.js';
import type { SuiteResult } from './opfs/suite-entry.js';

const SUITE = 'DirectoryHandleFileSystem (OPFS) > ';

/** Tests that need what the API lacks, with the errno DirectoryHandleFileSystem answers (README). */
const EXCEPTIONS: Record<string, string> = {
  'open flags > follows a final symlink unless nofollow, which gives loop': 'notsup',
  'directories > lists . and .. first, then names sorted, with types and inodes': 'notsup',
  'links > hard links share an inode and count': 'notsup',
  'links > link does not follow a symlink source': 'notsup',
  'links > symlink, readlink, stat versus lstat': 'notsup',
  'links > trailing slashes demand a directory': 'notsup',
  'links > link with follow links what a symlink names; a dangling one is noent': 'notsup',
  'rename > moves a symlink itself and is a no-op between hard links of one file': 'notsup',
  'times > sets atim and mtim by path, in nanoseconds': 'notsup',
  "times > 'now' is between the clock before and after": 'notsup',
  'times > sets times of the symlink itself when not following': 'notsup',
  'times > sets times by handle': 'notsup',
  'times > reads back nanoseconds exactly until something else changes the time': 'notsup',
  'times > writes move mtim of the file, creations move mtim of the directory': 'notsup',
  'sandboxed paths > refuses absolute, escaping, empty and NUL paths with the reference errnos': 'notsup',
  'files > keeps a position past 2^53 exact: tell gives it back, a read there is at the end, a write fbig': 'fbig',
};

let demo: Demo;
let results: SuiteResult[];
beforeAll(async () => {
  demo = await startDemo();
  await demo.page.addScriptTag({ type: 'module', content: await bundleForPage('suite-entry.ts') });
  await demo.page.waitForFunction(() => 'opfsSuite' in window);
  results = await demo.page.evaluate(() => (window as unknown as { opfsSuite: { runSuite(): Promise<SuiteResult[]> } }).opfsSuite.runSuite());
}, 120_000);
afterAll(async () => {
  await demo?.close();
}, 30_000);

describe('the behaviour suite on DirectoryHandleFileSystem over OPFS', () => {
  it('ran every test of the suite', () => {
    const ours = results.filter((r) => r.name.startsWith(SUITE));
    expect(ours.length).toBeGreaterThanOrEqual(31);
    // The cross-backend transcript compares two backends of one run; it is Node's (both there).
    expect(results.filter((r) => !r.name.startsWith(SUITE)).map((r) => r.name)).toEqual(['both backends agree > produces the same transcript']);
  });

  it('passes every test the API can express, each of them having waited for storage', () => {
    const failed = results.filter((r) => r.name.startsWith(SUITE) && !(r.name.slice(SUITE.length) in EXCEPTIONS) && !r.ok);
    expect(failed, demo.log.join('\n')).toEqual([]);
    for (const r of results.filter((r) => r.ok)) expect(r.attempts, r.name).toBeGreaterThan(1);
  });

  it('answers each exception with the errno listed', () => {
    const got = Object.fromEntries(Object.keys(EXCEPTIONS).map((name) => [name, results.find((r) => r.name === SUITE + name)?.errno]));
    expect(got).toEqual(EXCEPTIONS);
  });
});
