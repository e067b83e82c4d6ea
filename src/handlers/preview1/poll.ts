import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import { EVENT, SUBSCRIPTION, readSubscription, writeEvent } from '../../../generated/preview1/layout.js';
import { ClockidNames, Errno, Eventtype, Subclockflags, type Event, type Subscription } from '../../../generated/preview1/types.js';
import { WasiError } from '../../abi/errno-of.js';
import type { Kernel } from '../../kernel.js';
import { R } from '../../rights.js';

/**
 * `poll_oneoff` over clocks and fds. Every fd this host has answers at once (files, synchronous stdio),
 * so fd subscriptions are ready immediately; with none ready, the call sleeps until the first clock.
 * Takes decoded subscriptions so every version's layout can share it.
 */
export function pollEvents(k: Kernel, subs: readonly Subscription[]): Event[] {
  const { fds, clock } = k;
  if (subs.length === 0) throw new WasiError('inval');
  const events: Event[] = [];
  let firstDeadline: bigint | undefined;
  const deadlines: (bigint | undefined)[] = [];
  subs.forEach((s, index) => {
    if (s.u.tag === 'clock') {
      const c = s.u.value;
      const name = ClockidNames[c.id]!;
      const now = clock.now(name);
      const end = c.flags & Subclockflags.subscription_clock_abstime ? c.timeout : now + c.timeout;
      // Deadlines are kept on the monotonic clock, which is what the host can sleep on.
      const at = clock.now('monotonic') + (end > now ? end - now : 0n);
      deadlines[index] = at;
      if (firstDeadline === undefined || at < firstDeadline) firstDeadline = at;
      return;
    }
    const fd = s.u.value.file_descriptor;
    const type = s.u.tag === 'fd_read' ? Eventtype.fd_read : Eventtype.fd_write;
    let error: number = Errno.success;
    let nbytes = 0n;
    try {
      const e = fds.get(fd, R.poll_fd_readwrite);
      if (type === Eventtype.fd_read && e.kind === 'fs' && !e.isDir) {
        const size = e.fs.fstat(e.handle).size;
        const pos = e.fs.seek(e.handle, 0n, 'cur');
        nbytes = size > pos ? size - pos : 0n;
      }
    } catch (err) {
      if (!(err instanceof WasiError)) throw err;
      error = Errno[err.errno as keyof typeof Errno];
    }
    events.push({ userdata: s.userdata, error: error as Errno, type, fd_readwrite: { nbytes, flags: 0 } });
  });
  if (events.length === 0 && firstDeadline !== undefined) {
    const now = clock.now('monotonic');
    if (firstDeadline > now) k.sleepNs(firstDeadline - now);
  }
  const now = clock.now('monotonic');
  subs.forEach((s, index) => {
    const at = deadlines[index];
    if (s.u.tag === 'clock' && at !== undefined && at <= now) {
      events.push({ userdata: s.userdata, error: Errno.success, type: Eventtype.clock, fd_readwrite: { nbytes: 0n, flags: 0 } });
    }
  });
  return events;
}

export function pollHandlers(k: Kernel): Pick<WasiSnapshotPreview1, 'poll_oneoff'> {
  const m = k.memory;
  return {
    poll_oneoff(inPtr, outPtr, count) {
      if (count === 0) throw new WasiError('inval');
      m.checkArray(inPtr, count, SUBSCRIPTION.SIZE, SUBSCRIPTION.ALIGN);
      m.checkArray(outPtr, count, EVENT.SIZE, EVENT.ALIGN);
      const subs = Array.from({ length: count }, (_, i) => readSubscription(m.view, inPtr + i * SUBSCRIPTION.SIZE));
      const events = pollEvents(k, subs);
      events.forEach((e, i) => writeEvent(m.view, outPtr + i * EVENT.SIZE, e));
      return events.length;
    },
  };
}
