// The filesystem behaviour suite in a page, against DirectoryHandleFileSystem over OPFS. Each test body
// runs as one guest call does under the thread dispatcher (blocking.ts): an asynchronous step parks it,
// and once the step has settled the body runs again from its start, its finished steps replayed.
import '../../fs/filesystem-behaviour.test.js';
import { Blocked, CallRecord, parkingWaits } from '../../../src/kernel/blocking.js';
import { WasiError } from '../../../src/abi/wasi-error.js';
import { current } from './backend.js';
import { collected } from './vitest-shim.js';

export interface SuiteResult {
  name: string;
  /** Passed; else the errno of the WasiError it threw, or the other error's `Name: message`. */
  ok: boolean;
  errno?: string;
  error?: string;
  /** How many times the body ran: one more than the steps that waited. */
  attempts: number;
}

async function replay(fn: () => void): Promise<number> {
  const record = new CallRecord(performance.now());
  for (let attempts = 1; ; attempts++) {
    current.next = 0;
    try {
      parkingWaits(record, fn);
      return attempts;
    } catch (err) {
      if (!(err instanceof Blocked) || !err.until) throw err;
      await err.until;
    }
  }
}

/** Runs every test of the suite named by `only` (a substring; all when absent), each in fresh OPFS directories. */
export async function runSuite(only?: string): Promise<SuiteResult[]> {
  const opfs = await navigator.storage.getDirectory();
  await opfs.removeEntry('behaviour', { recursive: true }).catch(() => {});
  const top = await opfs.getDirectoryHandle('behaviour', { create: true });
  const results: SuiteResult[] = [];
  let n = 0;
  for (const t of collected) {
    if (only && !t.name.includes(only)) continue;
    n++;
    current.dir = await top.getDirectoryHandle(`t${n}`, { create: true });
    current.readOnlyDir = await top.getDirectoryHandle(`t${n}-ro`, { create: true });
    current.made = [];
    let attempts = 0;
    try {
      attempts = await replay(() => {
        for (const b of t.before) b();
        try {
          t.body();
        } finally {
          for (const a of t.after) a();
        }
      });
      results.push({ name: t.name, ok: true, attempts });
    } catch (err) {
      const e = err as Error;
      results.push(err instanceof WasiError ? { name: t.name, ok: false, errno: err.errno, error: e.message, attempts } : { name: t.name, ok: false, error: `${e.name}: ${e.message}`, attempts });
    }
  }
  await opfs.removeEntry('behaviour', { recursive: true });
  return results;
}

(window as unknown as { opfsSuite: unknown }).opfsSuite = { runSuite };
