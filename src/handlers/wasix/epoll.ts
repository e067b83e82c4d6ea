import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { EPOLL_EVENT as EPOLL_EVENT_32, readEpollEvent as readEpollEvent32, writeEpollEvent as writeEpollEvent32 } from '../../../generated/wasix/layout.js';
import { EpollCtl, EpollTypeAll, Filetype } from '../../../generated/wasix/types.js';
import { WasiError } from '../../abi/errno-of.js';
import { callStartMs, sleepUntil, waitForOtherThreads, waitOnAny } from '../../kernel/blocking.js';
import { Epoll } from '../../kernel/epoll.js';
import type { EpollFile } from '../../kernel/open-file.js';
import type { Process } from '../../kernel/process.js';
import { R } from '../../rights.js';
import type { Waiter } from '../../stdio.js';
import { idleWaiter, isIdleWaiter } from './idle.js';

// epoll_create, epoll_ctl and epoll_wait over an epoll open file (kernel/epoll.ts: the interest list
// and how it is scanned).

/** epoll_wait's timeout that means no limit (Wasmer's TIMEOUT_FOREVER). */
const FOREVER = 0xffff_ffff_ffff_ffffn;

/** `epoll_create`, `epoll_ctl`, `epoll_wait`. */
/** The layout of `epoll_event` on the guest's target (its `epoll_data` holds a pointer). */
export interface EpollEventLayout {
  readonly EPOLL_EVENT: typeof EPOLL_EVENT_32;
  readonly readEpollEvent: typeof readEpollEvent32;
  readonly writeEpollEvent: typeof writeEpollEvent32;
}

/**
 * wasix_32v1's, named one by one: a layout module used whole as a value would be bundled as an object
 * of getters for its every export, built at each import.
 */
const L32: EpollEventLayout = { EPOLL_EVENT: EPOLL_EVENT_32, readEpollEvent: readEpollEvent32, writeEpollEvent: writeEpollEvent32 };

/** `epoll_create`, `epoll_ctl`, `epoll_wait`; `L`: wasix_32v1's layout or wasix_64v1's. */
export function wasixEpollHandlers(k: Process, L: EpollEventLayout = L32): Pick<Wasix32v1, 'epoll_create' | 'epoll_ctl' | 'epoll_wait'> {
  const { EPOLL_EVENT, readEpollEvent, writeEpollEvent } = L;
  const { fds, memory: m } = k;
  const { signals, sleepMs } = k;

  /** The epoll behind `epfd`: `badf` for no fd, `inval` for an fd that is not an epoll (Linux, Wasmer). */
  const epollAt = (epfd: number): Epoll => {
    const e = fds.get(epfd, 0);
    if (e.kind !== 'epoll') throw new WasiError('inval', `fd ${epfd} is not an epoll`);
    return e.epoll;
  };

  /** Waits until one of `waiters` may have changed, or `untilMs`; an expiring interval timer ends the wait with `intr`. */
  const waitFor = (waiters: Set<Waiter>, untilMs: number, what: string) => {
    const external = [...waiters].filter((w) => !isIdleWaiter(w));
    const timer = signals.nextTimerMs();
    const until = timer !== undefined && timer < untilMs ? timer : untilMs;
    const left = until - performance.now();
    if (external.length === 0) {
      // Only another guest thread could make these fds ready.
      if (!Number.isFinite(until)) waitForOtherThreads(what);
      sleepUntil(until, sleepMs);
    } else waitOnAny(external, Math.max(left, 0));
    if (signals.deliver()) throw new WasiError('intr', 'interrupted by a signal');
  };

  return {
    epoll_create() {
      const ep = new Epoll(k);
      const waiter = idleWaiter(k, 'polling an epoll whose fds only this program can make ready');
      // An epoll fd is itself pollable (readable while it has events), as on Linux; it is read by epoll_wait only.
      const source = {
        read() {
          throw new WasiError('inval', 'an epoll fd is read with epoll_wait');
        },
        readiness: () => (ep.scan(1, false).out.length > 0 ? { nbytes: 0n, hangup: false } : undefined),
        get waiter() {
          const ws = [...ep.scan(0, false).waiters].filter((w) => !isIdleWaiter(w));
          return ws.length === 1 ? ws[0]! : waiter;
        },
      };
      const file: EpollFile = { kind: 'epoll', epoll: ep, filetype: Filetype.unknown, fdflags: 0, source, sink: undefined };
      return fds.insert({ file, rightsBase: R.poll_fd_readwrite, rightsInheriting: 0 });
    },

    epoll_ctl(epfd, op, fd, event) {
      const ep = epollAt(epfd);
      if (fd === epfd) throw new WasiError('inval', 'an epoll cannot watch itself');
      // As poll_oneoff, watching an fd needs its poll right.
      const entry = fds.fd(fd, R.poll_fd_readwrite);
      const had = ep.interests.has(fd);
      if (op === EpollCtl.del) {
        if (!had) throw new WasiError('noent', `fd ${fd} is not in the interest list`);
        ep.interests.delete(fd);
        return;
      }
      if (op === EpollCtl.add && had) throw new WasiError('exist', `fd ${fd} is already in the interest list`);
      if (op === EpollCtl.mod && !had) throw new WasiError('noent', `fd ${fd} is not in the interest list`);
      // A null event is Linux's EFAULT (Wasmer reads 0 as "no event" and adds nothing).
      if (event === 0) throw new WasiError('fault', 'no event');
      m.checkAligned(event, EPOLL_EVENT.SIZE, EPOLL_EVENT.ALIGN);
      const ev = readEpollEvent(m.view, event);
      // Unknown event bits are ignored, as Linux does.
      ep.interests.set(fd, { entry, events: ev.events & EpollTypeAll, data: ev.data, disarmed: false, seen: { events: 0, nbytes: 0n } });
    },

    epoll_wait(epfd, event, maxevents, timeout) {
      const ep = epollAt(epfd);
      if (maxevents === 0 || maxevents > 0x7fff_ffff) throw new WasiError('inval', 'maxevents must be at least 1');
      m.checkArray(event, maxevents, EPOLL_EVENT.SIZE, EPOLL_EVENT.ALIGN);
      // A signal pending from before the call is delivered first, as Wasmer does on entry.
      signals.deliver();
      const untilMs = timeout === FOREVER ? Infinity : callStartMs() + Number(timeout) / 1e6;
      for (;;) {
        const { out, waiters } = ep.scan(maxevents, true);
        if (out.length > 0) {
          out.forEach((e, i) => writeEpollEvent(m.view, event + i * EPOLL_EVENT.SIZE, e));
          return out.length;
        }
        if (performance.now() >= untilMs) return 0;
        waitFor(waiters, untilMs, 'epoll_wait');
      }
    },
  };
}
