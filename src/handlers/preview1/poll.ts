import { callStartMs, waitOnAny } from '../../kernel/blocking.js';
import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import { EVENT, SUBSCRIPTION, readSubscription, writeEvent } from '../../../generated/preview1/layout.js';
import { ClockidNames, Errno, Eventrwflags, Eventtype, Subclockflags, type Event, type Subscription, type SubscriptionClock } from '../../../generated/preview1/types.js';
import { WasiError } from '../../abi/errno-of.js';
import { readinessOf } from '../../kernel/open-file.js';
import type { Process } from '../../kernel/process.js';
import { R } from '../../rights.js';
import type { Readiness, Waiter } from '../../stdio.js';

const errnoOf = (name: string): Errno => (Errno as Record<string, number>)[name] as Errno ?? Errno.io;

/**
 * `poll_oneoff` over any mix of clocks and fds: returns every subscription ready now; when none is,
 * blocks (Atomics.wait through the waiters, or the platform's sleep for clocks alone) until an fd
 * may have changed or the earliest clock fires, and looks again. Takes decoded subscriptions so every
 * version's layout can share it.
 */
export function pollEvents(k: Process, subs: readonly Subscription[]): Event[] {
  const { fds, clock } = k;
  if (subs.length === 0) throw new WasiError('inval');
  const only = subs.length === 1 ? subs[0]! : undefined;
  if (only?.u.tag === 'clock') return [pollClock(k, only, only.u.value)];
  // A parked call (threads) is run again from the top: relative timeouts count from its first attempt.
  const startMono = clock.now('monotonic') - BigInt(Math.round((performance.now() - callStartMs()) * 1e6));
  // Deadlines are kept on the monotonic clock, which is what the host can wait on. A CPU-time clock
  // is taken as a duration from now: a waiting thread uses no CPU, so its own clock would never get there.
  // `precision` is a hint; waits are as precise as Atomics.wait.
  const deadlines = subs.map((s) => {
    if (s.u.tag !== 'clock') return undefined;
    const c = s.u.value;
    const name = ClockidNames[c.id];
    if (name === undefined) throw new WasiError('inval', `unknown clock ${c.id}`);
    const now = name === 'monotonic' ? startMono : clock.now(name);
    const end = c.flags & Subclockflags.subscription_clock_abstime ? c.timeout : now + c.timeout;
    return startMono + (end > now ? end - now : 0n);
  });
  for (;;) {
    const events: Event[] = [];
    const waiters = new Set<Waiter>();
    subs.forEach((s) => {
      if (s.u.tag === 'clock') return;
      const type = s.u.tag === 'fd_read' ? Eventtype.fd_read : Eventtype.fd_write;
      const event = (error: Errno, r: Readiness = { nbytes: 0n, hangup: false }) =>
        events.push({ userdata: s.userdata, error, type, fd_readwrite: { nbytes: r.nbytes, flags: r.hangup ? Eventrwflags.fd_readwrite_hangup : 0 } });
      let state: ReturnType<typeof readinessOf>;
      try {
        state = readinessOf(fds.get(s.u.value.file_descriptor, R.poll_fd_readwrite), type === Eventtype.fd_read);
      } catch (err) {
        if (!(err instanceof WasiError)) throw err;
        event(errnoOf(err.errno));
        return;
      }
      if ('ready' in state) event(state.ready.error === undefined ? Errno.success : errnoOf(state.ready.error), state.ready);
      else waiters.add(state.waiter);
    });
    const now = clock.now('monotonic');
    let first: bigint | undefined;
    subs.forEach((s, i) => {
      const at = deadlines[i];
      if (at === undefined) return;
      if (at <= now) events.push({ userdata: s.userdata, error: Errno.success, type: Eventtype.clock, fd_readwrite: { nbytes: 0n, flags: 0 } });
      else if (first === undefined || at < first) first = at;
    });
    if (events.length > 0) return events;
    const timeoutMs = first === undefined ? Infinity : Number(first - now) / 1e6;
    if (waiters.size === 0) k.sleepNs(first! - now);
    else waitOnAny(waiters, timeoutMs);
  }
}

/**
 * A clock alone (sleep, a timed wait: what most polls are), as `pollEvents` answers it, with no lists,
 * sets or closures per call. A relative timeout of 0 is due at once, so no clock is read for it.
 */
function pollClock(k: Process, s: Subscription, c: SubscriptionClock): Event {
  const name = ClockidNames[c.id];
  if (name === undefined) throw new WasiError('inval', `unknown clock ${c.id}`);
  const abstime = (c.flags & Subclockflags.subscription_clock_abstime) !== 0;
  if (abstime || c.timeout !== 0n) {
    const { clock } = k;
    const startMono = clock.now('monotonic') - BigInt(Math.round((performance.now() - callStartMs()) * 1e6));
    const now = name === 'monotonic' ? startMono : clock.now(name);
    const at = startMono + (abstime ? (c.timeout > now ? c.timeout - now : 0n) : c.timeout);
    for (let t = clock.now('monotonic'); t < at; t = clock.now('monotonic')) k.sleepNs(at - t);
  }
  return { userdata: s.userdata, error: Errno.success, type: Eventtype.clock, fd_readwrite: { nbytes: 0n, flags: 0 } };
}

/** How one version lays out its subscriptions and events, for `pollOneoff`. */
export interface PollLayout {
  readonly subscription: { readonly SIZE: number; readonly ALIGN: number };
  readonly event: { readonly SIZE: number; readonly ALIGN: number };
  readSubscription(v: DataView, p: number): Subscription;
  writeEvent(v: DataView, p: number, e: Event): void;
}

/** `poll_oneoff` of any version: both arrays checked before anything happens, then `pollEvents`. */
export function pollOneoff(k: Process, layout: PollLayout, inPtr: number, outPtr: number, count: number): number {
  const m = k.memory;
  if (count === 0) throw new WasiError('inval');
  const { subscription: sub, event } = layout;
  m.checkArray(inPtr, count, sub.SIZE, sub.ALIGN);
  m.checkArray(outPtr, count, event.SIZE, event.ALIGN);
  if (count === 1) {
    // One subscription (a sleep, mostly), so one event (pollEvents returns when it has some): no lists around them.
    layout.writeEvent(m.view, outPtr, pollEvents(k, [layout.readSubscription(m.view, inPtr)])[0]!);
    return 1;
  }
  const subs: Subscription[] = [];
  for (let i = 0; i < count; i++) subs.push(layout.readSubscription(m.view, inPtr + i * sub.SIZE));
  const events = pollEvents(k, subs);
  for (let i = 0; i < events.length; i++) layout.writeEvent(m.view, outPtr + i * event.SIZE, events[i]!);
  return events.length;
}

const PREVIEW1: PollLayout = { subscription: SUBSCRIPTION, event: EVENT, readSubscription, writeEvent };

export function pollHandlers(k: Process): Pick<WasiSnapshotPreview1, 'poll_oneoff'> {
  return { poll_oneoff: (inPtr, outPtr, count) => pollOneoff(k, PREVIEW1, inPtr, outPtr, count) };
}
