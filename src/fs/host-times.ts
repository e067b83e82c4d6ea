/**
 * Nanosecond file times over Node's `utimes`, which takes seconds as a double and so keeps only about
 * 0.25 µs of a present-day time. wasmtime and Wasmer call utimensat and read back exactly what the
 * guest set; the official suite checks that (fd_filestat_set, path_filestat, symlink_filestat). So the
 * exact value set is kept per host inode beside the rounded one the host then held, and reported for
 * as long as the host still holds that rounded value: any other change (a write, another utimes, a
 * process outside) moves the host's time and wins.
 */
import type { FileStat } from './types.js';

interface Kept {
  /** What the guest set, to the nanosecond. */
  exact: bigint;
  /** What the host held right after: the exact value, rounded by the double on the way. */
  held: bigint;
}

/** One table for every HostFileSystem: two preopens of one tree see the same inode. */
const kept = new Map<string, { atim: Kept; mtim: Kept }>();

const keyOf = (dev: bigint, ino: bigint) => `${dev}:${ino}`;

/** What `keepTimes` needs of node's BigIntStats (this file stays free of `node:` imports). */
interface HeldTimes {
  dev: bigint;
  ino: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
}

/** Records the times just written (`exact`) against what the host holds now (`after`). */
export function keepTimes(after: HeldTimes, exact: { atim: bigint; mtim: bigint }): void {
  kept.set(keyOf(after.dev, after.ino), {
    atim: { exact: exact.atim, held: after.atimeNs },
    mtim: { exact: exact.mtim, held: after.mtimeNs },
  });
}

/** `stat` with the exact times set through wasi-kit where the host still holds what was written. */
export function withKeptTimes(stat: FileStat): FileStat {
  if (kept.size === 0) return stat;
  const key = keyOf(stat.dev, stat.ino);
  const k = kept.get(key);
  if (k === undefined) return stat;
  const atimKept = stat.atim === k.atim.held;
  const mtimKept = stat.mtim === k.mtim.held;
  // Neither still holds: the entry is stale for good (the host never goes back to a rounded value).
  if (!atimKept && !mtimKept) kept.delete(key);
  return { ...stat, atim: atimKept ? k.atim.exact : stat.atim, mtim: mtimKept ? k.mtim.exact : stat.mtim };
}
