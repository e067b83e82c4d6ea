import { closeSync, openSync, writeSync } from 'node:fs';
import { abi as ephemeralAbi } from '../../generated/ephemeral/metadata.js';
import { abi as preview1Abi } from '../../generated/preview1/metadata.js';
import { abi as snapshot0Abi } from '../../generated/snapshot0/metadata.js';
import { abi as wasixAbi } from '../../generated/wasix/metadata.js';
import type { TraceEvent } from '../options.js';
import { formatDuration, formatTraceEvent, type TraceAbi } from '../trace-format.js';
import { HostError } from './usage-error.js';

/** Each import module's ABI, so an event is decoded by the version it belongs to (made with the first sink). */
let typesByModule: Map<string, TraceAbi> | undefined;
const TYPES_BY_MODULE = () =>
  (typesByModule ??= new Map<string, TraceAbi>(
    [preview1Abi(), snapshot0Abi(), ephemeralAbi(), wasixAbi()].flatMap((abi) => abi.functions.map((f) => [f.module, abi] as const)),
  ));

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes trace lines to a host fd as they happen (stderr), or buffered to a file. */
export class TraceSink {
  readonly #fd: number;
  readonly #ownsFd: boolean;
  #buffered = '';
  #calls = 0;
  #errors = 0;
  #ns = 0;

  constructor(to: { to: 'stderr' } | { to: 'file'; path: string }) {
    if (to.to === 'stderr') {
      this.#fd = 2;
      this.#ownsFd = false;
    } else {
      try {
        this.#fd = openSync(to.path, 'w');
      } catch (err) {
        throw new HostError(`cannot write the trace to ${to.path}: ${(err as Error).message}`);
      }
      this.#ownsFd = true;
    }
  }

  readonly event = (e: TraceEvent): void => {
    const types = TYPES_BY_MODULE().get(e.module);
    this.#calls++;
    if (e.errno !== undefined && e.errno !== 'success') this.#errors++;
    this.#ns += e.durationNs;
    // Tagged with the process and thread when the program is threaded (several threads may call).
    const tag = e.thread ? `[${e.thread.pid}:${e.thread.tid}] ` : '';
    this.#line(tag + (types ? formatTraceEvent(e, types) : `${e.module}.${e.name}(?)`));
  };

  /** Ends the trace with a count of calls and their total time, and closes a trace file. */
  close(): void {
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    this.#line(`# ${plural(this.#calls, 'syscall')}, ${plural(this.#errors, 'error')}, ${formatDuration(this.#ns)} in the host`);
    this.#flush();
    if (this.#ownsFd) closeSync(this.#fd);
  }

  #line(line: string): void {
    // On stderr, lines interleave with the guest's own stderr in order; a file is written in blocks.
    this.#buffered += `${line}\n`;
    if (!this.#ownsFd || this.#buffered.length > 1 << 16) this.#flush();
  }

  #flush(): void {
    const bytes = Buffer.from(this.#buffered);
    this.#buffered = '';
    let at = 0;
    while (at < bytes.length) {
      try {
        at += writeSync(this.#fd, bytes, at, bytes.length - at);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        Atomics.wait(pause, 0, 0, 1); // a non-blocking stderr that is full: wait for it to drain
      }
    }
  }
}
