import type { FileSystem } from '../fs/types.js';
import type { InputSource, OutputSink } from '../stdio.js';
import type { HostTerminal } from '../terminal.js';

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
  /** The host's terminal, where there is one (Node: `nodeTerminal`). */
  readonly terminal?: HostTerminal;
  /** Ends the host process (for `returnOnExit: false`). */
  exit(code: number): never;
}
