import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { EPOLL_EVENT, readEpollEvent, writeEpollEvent } from '../../../generated/wasix/layout.js';
import { EpollCtl, EpollType, EpollTypeAll, Filetype, type EpollData } from '../../../generated/wasix/types.js';
import { WasiError } from '../../abi/errno-of.js';
import { callStartMs, sleepUntil, waitForOtherThreads, waitOnAny } from '../../kernel/blocking.js';
import type { Fd } from '../../kernel/fd-table.js';
import { readinessOf, type OpenFile, type StreamFile } from '../../kernel/open-file.js';
import type { Process } from '../../kernel/process.js';
import { R } from '../../rights.js';
import type { InputSource, Waiter } from '../../stdio.js';
import { idleWaiter, isIdleWaiter } from './idle.js';

// epoll over the fd table, level-triggered as on Linux, with EPOLLET and EPOLLONESHOT (both in the
// WITX's $epoll_type). Readiness is preview1 poll_oneoff's (`readinessOf`), so an fd is ready for epoll
// exactly when poll_oneoff would report it. Interests are keyed by fd number, as epoll_ctl names them.

const { epollin: IN, epollout: OUT, epollrdhup: RDHUP, epollerr: ERR, epollhup: HUP, epollet: ET, epolloneshot: ONESHOT } = EpollType;
/** epoll_wait's timeout that means no limit (Wasmer's TIMEOUT_FOREVER). */
const FOREVER = 0xffff_ffff_ffff_ffffn;

interface Interest {
  /** The fd's entry when it was added: once the fd no longer holds it (closed), the interest is dropped, as Linux drops a closed file. */
  readonly entry: Fd;
  readonly events: number;
  readonly data: EpollData;
  /** EPOLLONESHOT after its event: silent until EPOLL_CTL_MOD arms it again. */
  disarmed: boolean;
  /** EPOLLET: what was seen last, so only a change is reported. */
  seen: { events: number; nbytes: bigint };
}

/** What an fd is ready for now (epoll bits, before the interest's mask), with what to wait on when it is not. */
function readiness(e: OpenFile, wantOut: boolean): { events: number; nbytes: bigint; waiter?: Waiter } {
  let events = 0;
  let nbytes = 0n;
  let waiter: Waiter | undefined;
  const socket = e.kind === 'stdio' ? e.socket : undefined;
  const r = readinessOf(e, true);
  if ('waiter' in r) waiter = r.waiter;
  else {
    const { ready } = r;
    nbytes = ready.nbytes;
    if (ready.error !== undefined) events |= ERR | HUP;
    else if (ready.hangup) {
      // A pipe whose writers are gone hangs up (readable only while bytes remain); a socket whose
      // peer has finished is readable (recv gives 0) with RDHUP, as Linux reports them.
      events |= socket ? IN | RDHUP : HUP;
      if (nbytes > 0n) events |= IN;
    } else events |= IN;
    // poll_oneoff reports a socket's end only once its bytes are read; epoll says RDHUP at once, as Linux.
    if (socket?.kind === 'connection' && socket.conn.state().ended) events |= RDHUP;
  }
  if (wantOut) {
    const w = readinessOf(e, false);
    // A listener is never writable (poll_oneoff reports inval there); Linux sets no EPOLLOUT either.
    if ('ready' in w && !(socket?.kind === 'listener')) events |= w.ready.error === undefined ? OUT : ERR;
  }
  return { events, nbytes, waiter };
}

/** One epoll instance: its interest list and the scan epoll_wait and poll_oneoff make of it. */
class Epoll {
  readonly interests = new Map<number, Interest>();
  #scanning = false;

  constructor(private readonly k: Process) {}

  /**
   * The events ready now, at most `max`; `commit` applies what reporting them means (EPOLLONESHOT
   * disarms, EPOLLET remembers what it saw). Also the waiters of the fds that are not ready.
   */
  scan(max: number, commit: boolean): { out: { events: number; data: EpollData }[]; waiters: Set<Waiter> } {
    const out: { events: number; data: EpollData }[] = [];
    const waiters = new Set<Waiter>();
    // An epoll watching itself through another epoll would recurse: inside a scan, it is not ready.
    if (this.#scanning) return { out, waiters };
    this.#scanning = true;
    try {
      for (const [fd, it] of this.interests) {
        if (!this.#stillOpen(fd, it)) {
          this.interests.delete(fd);
          continue;
        }
        if (it.disarmed) continue;
        const now = readiness(it.entry.file, (it.events & OUT) !== 0);
        // ERR and HUP are reported whether asked for or not, as on Linux.
        const events = now.events & (it.events | ERR | HUP);
        if (events === 0) {
          if (now.waiter) waiters.add(now.waiter);
          if (commit) it.seen = { events: 0, nbytes: 0n };
          continue;
        }
        if (it.events & ET) {
          const fresh = (events & ~it.seen.events) !== 0 || now.nbytes > it.seen.nbytes;
          if (!fresh) {
            if (now.waiter) waiters.add(now.waiter);
            if (commit) it.seen = { events, nbytes: now.nbytes };
            continue;
          }
        }
        if (out.length >= max) continue;
        out.push({ events, data: it.data });
        if (commit) {
          it.seen = { events, nbytes: now.nbytes };
          if (it.events & ONESHOT) it.disarmed = true;
        }
      }
    } finally {
      this.#scanning = false;
    }
    return { out, waiters };
  }

  #stillOpen(fd: number, it: Interest): boolean {
    try {
      return this.k.fds.fd(fd, 0) === it.entry;
    } catch {
      return false;
    }
  }
}

/** Epolls by the source of their fd entry, which a duplicate of the fd shares. */
const epolls = new WeakMap<InputSource, Epoll>();

const epollOf = (e: OpenFile): Epoll | undefined => (e.kind === 'stdio' && e.source ? epolls.get(e.source) : undefined);

/** `epoll_create`, `epoll_ctl`, `epoll_wait`. */
export function wasixEpollHandlers(k: Process): Pick<Wasix32v1, 'epoll_create' | 'epoll_ctl' | 'epoll_wait'> {
  const { fds, memory: m } = k;
  const { signals, sleepMs } = k;

  /** The epoll behind `epfd`: `badf` for no fd, `inval` for an fd that is not an epoll (Linux, Wasmer). */
  const epollAt = (epfd: number): Epoll => {
    const ep = epollOf(fds.get(epfd, 0));
    if (!ep) throw new WasiError('inval', `fd ${epfd} is not an epoll`);
    return ep;
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
      const source: InputSource = {
        read() {
          throw new WasiError('inval', 'an epoll fd is read with epoll_wait');
        },
        readiness: () => (ep.scan(1, false).out.length > 0 ? { nbytes: 0n, hangup: false } : undefined),
        get waiter() {
          const ws = [...ep.scan(0, false).waiters].filter((w) => !isIdleWaiter(w));
          return ws.length === 1 ? ws[0]! : waiter;
        },
      };
      epolls.set(source, ep);
      const file: StreamFile = { kind: 'stdio', filetype: Filetype.unknown, fdflags: 0, source, sink: undefined };
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
