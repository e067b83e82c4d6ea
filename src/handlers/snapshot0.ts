import {
  EVENT,
  SUBSCRIPTION,
  readSubscription,
  writeEvent,
} from '../../generated/snapshot0/layout.js';
import { SubscriptionToP1, type WasiUnstableHandWritten } from '../../generated/snapshot0/adapter.js';
import type { Kernel } from '../kernel.js';
import { WasiError } from '../abi/errno-of.js';
import { pollEvents } from './preview1/poll.js';

/**
 * What snapshot0 (`wasi_unstable`) cannot take mechanically from preview1: `poll_oneoff` reads its
 * subscriptions (with the extra clock `identifier`) from memory in its own layout. The events it
 * writes have preview1's shape and snapshot0's layout.
 */
export function snapshot0HandWritten(k: Kernel): WasiUnstableHandWritten {
  const m = k.memory;
  return {
    poll_oneoff(inPtr, outPtr, count) {
      if (count === 0) throw new WasiError('inval');
      m.checkArray(inPtr, count, SUBSCRIPTION.SIZE, SUBSCRIPTION.ALIGN);
      m.checkArray(outPtr, count, EVENT.SIZE, EVENT.ALIGN);
      const subs = Array.from({ length: count }, (_, i) => SubscriptionToP1(readSubscription(m.view, inPtr + i * SUBSCRIPTION.SIZE)));
      const events = pollEvents(k, subs);
      events.forEach((e, i) => writeEvent(m.view, outPtr + i * EVENT.SIZE, e));
      return events.length;
    },
  };
}
