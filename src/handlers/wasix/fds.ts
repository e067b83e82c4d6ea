import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { Eventfdflags, Fdflags, Fdflagsext, Filetype } from '../../../generated/wasix/types.js';
import { WasiError } from '../../abi/errno-of.js';
import { waitForOtherThreads } from '../../kernel/blocking.js';
import type { NewFd } from '../../kernel/fd-table.js';
import type { StreamFile } from '../../kernel/open-file.js';
import type { Process } from '../../kernel/process.js';
import { privatePipe } from '../../kernel/pipe-arena.js';
import { createPipe, type PipeEnd } from '../../pipe.js';
import { STDIO_RIGHTS } from '../../rights.js';
import type { Readiness } from '../../stdio.js';
import { EventCounter } from './event-counter.js';
import { idleWaiter } from './idle.js';

type FdCalls = 'fd_dup' | 'fd_dup2' | 'fd_fdflags_get' | 'fd_fdflags_set' | 'fd_pipe' | 'fd_event';

/** What a pipe end or event fd does: read and write (undefined when it would wait; a write's count may be short). */
interface Stream {
  read(into: Uint8Array): number | undefined;
  write(bytes: Uint8Array): number | undefined;
  readiness(): Readiness | undefined;
  writeReadiness?(): Readiness | undefined;
  close?(): void;
}

/**
 * The fd extensions: duplicates (sharing the open file through the fd table's reference count),
 * close-on-exec flags, pipes and event fds. Pipes and event fds are stdio entries, so preview1's
 * fd_read, fd_write, fd_close and poll_oneoff serve them unchanged.
 */
export function wasixFdHandlers(k: Process): Pick<Wasix32v1, FdCalls> {
  const { fds } = k;


  /**
   * A blocking read of an empty pipe or counter (or a write to a full counter) waits for another guest
   * thread: parked when threads run, `deadlk` on one thread, since nothing else could ever change it.
   * An interval timer expiring first ends it with `intr` once its signal is delivered.
   */
  const wouldWait = (e: StreamFile, what: string): never => {
    if (e.fdflags & Fdflags.nonblock) throw WasiError.quiet('again');
    // The reader may be another process than the one that made the pipe (spawn shares it).
    const p = k.kernel.current ?? k;
    p.signals.interruptWait(Infinity, p.sleepMs);
    return waitForOtherThreads(what);
  };

  const streamEntry = (kind: 'pipe' | 'event', s: Stream | PipeEnd, what: string): NewFd => {
    const waiter = idleWaiter(k, `poll_oneoff on an empty ${what}`);
    const pipe = 'fast' in s ? s : undefined;
    const e: StreamFile = {
      kind,
      filetype: Filetype.unknown,
      fdflags: 0,
      fast: pipe?.fast,
      source: {
        read(into) {
          const n = s.read(into);
          if (n === undefined) return wouldWait(e, `reading an empty ${what}`);
          return n;
        },
        readiness: () => s.readiness(),
        waiter,
      },
      sink: {
        write(bytes) {
          if (s.write(bytes) !== bytes.length) wouldWait(e, `writing to a full ${what}`);
        },
        writeSome(bytes) {
          const n = s.write(bytes);
          return n === undefined ? wouldWait(e, `writing to a full ${what}`) : n;
        },
        writeReadiness: s.writeReadiness && (() => s.writeReadiness!()),
      },
      onClose: s.close ? () => s.close!() : undefined,
    };
    // A pipe end's fdflags live with the pipe, where the workers serving it see them (nonblock).
    if (pipe) Object.defineProperty(e, 'fdflags', { get: () => pipe.flags, set: (v: number) => void (pipe.flags = v), enumerable: true });
    return { file: e, rightsBase: STDIO_RIGHTS, rightsInheriting: 0 };
  };

  return {
    fd_dup: (fd) => fds.dup(fd, 0, 0),
    fd_dup2: (fd, min, cloexec) => fds.dup(fd, min, cloexec ? Fdflagsext.cloexec : 0),
    fd_fdflags_get: (fd) => fds.fd(fd, 0).fdflagsext,
    fd_fdflags_set(fd, flags) {
      fds.fd(fd, 0).fdflagsext = flags;
    },
    fd_pipe() {
      const ends = createPipe(k.kernel.pipes?.allocate() ?? privatePipe()).map((p) => streamEntry('pipe', p, 'pipe'));
      const a = fds.insert(ends[0]!);
      try {
        return [a, fds.insert(ends[1]!)];
      } catch (err) {
        fds.close(a);
        throw err;
      }
    },
    fd_event(initial, flags) {
      const counter = new EventCounter(initial, (flags & Eventfdflags.Semaphore) !== 0);
      return fds.insert(streamEntry('event', { read: (into) => counter.read(into), write: (b) => (counter.add(b) ? b.length : undefined), readiness: () => counter.readiness() }, 'event counter'));
    },
  };
}
