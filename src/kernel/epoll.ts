import { EpollType, type EpollData } from '../../generated/wasix/types.js';
import type { Fd } from './fd-table.js';
import { readinessOf, type OpenFile } from './open-file.js';
import type { Process } from './process.js';
import type { Waiter } from '../stdio.js';

// epoll over the fd table, level-triggered as on Linux, with EPOLLET and EPOLLONESHOT (both in the
// WITX's $epoll_type). Readiness is preview1 poll_oneoff's (`readinessOf`), so an fd is ready for epoll
// exactly when poll_oneoff would report it. Interests are keyed by fd number, as epoll_ctl names them.

export const { epollin: IN, epollout: OUT, epollrdhup: RDHUP, epollerr: ERR, epollhup: HUP, epollet: ET, epolloneshot: ONESHOT } = EpollType;

export interface Interest {
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
  const socket = e.kind === 'socket' ? e.socket : undefined;
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
export class Epoll {
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
