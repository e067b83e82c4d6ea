import { fstatSync, readSync, writeSync } from 'node:fs';
import { noteHostCall, rethrowAsWasiError } from '../fs/errno-from-node.js';
import { HostFileSystem } from '../fs/host-fs.js';
import { nodeCrypto, nodeTty } from './node-builtins.js';
import { nodeThreadPlatform } from './node-workers.js';
import type { Platform } from './platform.js';
import type { HostTerminal } from '../terminal.js';
import { streamInput } from '../sockets/node-bridge.js';
import { nodeNetwork } from '../sockets/node-network.js';

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const sleepMs = (ms: number) => {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
};

// Taken once: `process` is an accessor on globalThis, and its getter was a tenth of clock_time_get's time.
const hr = process.hrtime.bigint;
// Realtime is the monotonic clock offset once to the epoch, so it has the monotonic clock's resolution.
const epochOffset = BigInt(Date.now()) * 1_000_000n - hr();

/** Linux's major device number 1 (glibc's `major()`): /dev/null, /dev/zero, /dev/full, /dev/random, ... */
const isMemoryDevice = (rdev: number) => process.platform === 'linux' && ((rdev >>> 8) & 0xfff) === 1;

export const nodePlatform: Platform = {
  // A getter: nodeTerminal is defined further down.
  get terminal() {
    return nodeTerminal;
  },
  monotonicNs: hr,
  realtimeNs: () => epochOffset + hr(),
  cpuTimeNs: () => {
    const { user, system } = process.cpuUsage();
    return BigInt(user + system) * 1000n;
  },
  resolutionNs: { realtime: 1n, monotonic: 1n, cputime: 1000n },
  sleepNs: (ns) => sleepMs(Number(ns) / 1e6),
  randomFill: (into) => {
    nodeCrypto().randomFillSync(into);
  },
  hostInput: (fd) => {
    const readRange = (buffer: Uint8Array, offset: number, length: number): number => {
      noteHostCall();
      for (;;) {
        try {
          return readSync(fd, buffer, offset, length, null);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          // A non-blocking host fd with nothing yet: wait briefly instead of spinning.
          if (code === 'EAGAIN') sleepMs(1);
          else if (code === 'EOF') return 0;
          else return rethrowAsWasiError(err);
        }
      }
    };
    return { read: (into) => readRange(into, 0, into.length), readRange };
  },
  hostOutput: (fd) => {
    const writeRange = (buffer: Uint8Array, offset: number, length: number) => {
      // A reader gone (EPIPE) and the like are the guest's to handle, as errnos (`pipe`).
      for (let at = offset, end = offset + length; at < end; ) {
        try {
          noteHostCall();
          at += writeSync(fd, buffer, at, end - at);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EAGAIN') sleepMs(1);
          else rethrowAsWasiError(err);
        }
      }
    };
    return { write: (bytes) => writeRange(bytes, 0, bytes.length), writeRange };
  },
  hostFdKind: (fd) => {
    try {
      const st = fstatSync(fd);
      // A terminal is a character device: only those are asked, so most runs never load node:tty (about
      // 2 ms). Linux's memory devices (major 1: /dev/null, /dev/zero, ...) never are (devices.txt).
      if (st.isCharacterDevice()) return !isMemoryDevice(st.rdev) && nodeTty().isatty(fd) ? 'tty' : 'character_device';
      return st.isFile() ? 'regular_file' : 'unknown';
    } catch {
      return 'unknown';
    }
  },
  hostFileSystem: (path, options) => new HostFileSystem(path, options),
  streamInput,
  network: nodeNetwork(),
  exit: (code) => process.exit(code),
  threads: nodeThreadPlatform,
};

/**
 * The process's terminal for WASIX tty_get/tty_set: the size of stdout's (else stderr's) terminal, and
 * raw mode on stdin's. Only touches `process.stdin` when stdin is a terminal and raw mode is asked for.
 */
export const nodeTerminal: HostTerminal = {
  size() {
    const out = [process.stdout, process.stderr].find((s) => s.isTTY && s.columns > 0);
    return out && { cols: out.columns, rows: out.rows };
  },
  setRawMode(raw) {
    if (!nodeTty().isatty(0)) return false;
    process.stdin.setRawMode(raw);
    return true;
  },
};
