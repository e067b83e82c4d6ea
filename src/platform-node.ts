import { randomFillSync } from 'node:crypto';
import { fstatSync, readSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { HostFileSystem } from './fs/host-fs.js';
import type { Platform } from './platform.js';

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const sleepMs = (ms: number) => {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
};

/** Retries a call that a non-blocking host fd answers with EAGAIN, waiting briefly instead of spinning. */
function retryAgain<T>(call: () => T): T {
  for (;;) {
    try {
      return call();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      sleepMs(1);
    }
  }
}

const hr = () => process.hrtime.bigint();
// Realtime is the monotonic clock offset once to the epoch, so it has the monotonic clock's resolution.
const epochOffset = BigInt(Date.now()) * 1_000_000n - hr();

export const nodePlatform: Platform = {
  monotonicNs: hr,
  realtimeNs: () => epochOffset + hr(),
  cpuTimeNs: () => {
    const { user, system } = process.cpuUsage();
    return BigInt(user + system) * 1000n;
  },
  resolutionNs: { realtime: 1n, monotonic: 1n, cputime: 1000n },
  sleepNs: (ns) => sleepMs(Number(ns) / 1e6),
  randomFill: (into) => {
    randomFillSync(into);
  },
  hostInput: (fd) => ({
    read: (into) => {
      try {
        return retryAgain(() => readSync(fd, into, 0, into.length, null));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EOF') return 0;
        throw err;
      }
    },
  }),
  hostOutput: (fd) => ({
    write: (bytes) => {
      let at = 0;
      while (at < bytes.length) at += retryAgain(() => writeSync(fd, bytes, at, bytes.length - at));
    },
  }),
  hostFdKind: (fd) => {
    if (isatty(fd)) return 'tty';
    try {
      const st = fstatSync(fd);
      return st.isFile() ? 'regular_file' : st.isCharacterDevice() ? 'character_device' : 'unknown';
    } catch {
      return 'unknown';
    }
  },
  hostFileSystem: (path, options) => new HostFileSystem(path, options),
  exit: (code) => process.exit(code),
};
