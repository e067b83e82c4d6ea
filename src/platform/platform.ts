import type { FileSystem } from '../fs/types.js';
import type { FromWorker, ToWorker } from '../threads/messages.js';
import type { InputSource, OutputSink } from '../stdio.js';
import type { HostTerminal } from '../terminal.js';
import type { HostNetwork } from '../sockets/types.js';

/** What the runtime needs from its host (Node or a browser), so the core imports no `node:` module. */
export interface Platform {
  /** Monotonic nanoseconds. */
  monotonicNs(): bigint;
  /** Nanoseconds since the Unix epoch. */
  realtimeNs(): bigint;
  /** CPU time of this process in nanoseconds. */
  cpuTimeNs(): bigint;
  /** Resolutions, in nanoseconds, of the clocks above. */
  readonly resolutionNs: { readonly realtime: bigint; readonly monotonic: bigint; readonly cputime: bigint };
  randomFill(into: Uint8Array): void;
  /** Blocks the calling thread for `ns` without spinning (where the host allows blocking). */
  sleepNs(ns: bigint): void;
  hostInput(fd: number): InputSource;
  hostOutput(fd: number): OutputSink;
  /** What a host fd is: a terminal, or the file type of what it points at (wasi-libc buffers by it). */
  hostFdKind(fd: number): 'tty' | 'character_device' | 'regular_file' | 'unknown';
  /** A filesystem confined to a host directory; undefined where there is none (browsers). */
  hostFileSystem?(path: string, options: { readOnly: boolean }): FileSystem;
  /** stdin from an asynchronous stream (Node: one over a file descriptor, read by a worker); absent where there is none. */
  streamInput?(stream: object): InputSource;
  /** Real sockets for WASIX sock_open (Node); absent where there are none (browsers). */
  readonly network?: HostNetwork;
  /** The host's terminal, where there is one (Node: `nodeTerminal`). */
  readonly terminal?: HostTerminal;
  /** Ends the host process (for `returnOnExit: false`). */
  exit(code: number): never;
  /** Workers for guest threads and processes; undefined where there are none. */
  readonly threads?: ThreadPlatform;
}

/** A guest thread's worker as the kernel sees it. */
export interface GuestWorker {
  post(message: ToWorker): void;
  /** Messages from the worker, and an error that killed it (an uncaught exception, a failed load). */
  listen(onMessage: (m: FromWorker) => void, onError: (err: Error) => void): void;
  /** Stops the worker, whatever it is doing; resolves once it is gone. */
  terminate(): Promise<void>;
  /** For a worker whose guest thread has returned (it is idle): keeps it for another use, or stops it. */
  release?(): Promise<void>;
}

/** What threads need from the host: workers running src/threads/guest-worker-*.ts, and the core count. */
export interface ThreadPlatform {
  createWorker(): GuestWorker;
  readonly parallelism: number;
  /** Why threads cannot run here (e.g. a page that is not cross-origin isolated), or undefined. */
  unavailable(): string | undefined;
}

let current: Platform | undefined;

/** Set once by the entry point (Node or browser) before any WASI is made. */
export function setPlatform(p: Platform): void {
  current = p;
}

/** The platform the entry point set. */
export function getPlatform(): Platform | undefined {
  return current;
}

/** Replaces the thread part of the platform (tests count the workers a run makes). */
export function setThreadPlatform(p: ThreadPlatform): void {
  if (!current) throw new Error('wasi-kit: no platform set; import WASI from the package entry point');
  current = { ...current, threads: p };
}

export function getThreadPlatform(): ThreadPlatform | undefined {
  return current?.threads;
}

