import { SubscriptionToP1, type WasiUnstableHandWritten } from '../../generated/snapshot0/adapter.js';
import { EVENT, SUBSCRIPTION, readSubscription, writeEvent } from '../../generated/snapshot0/layout.js';
import type { Process } from '../kernel/process.js';
import { pollOneoff, type PollLayout } from './preview1/poll.js';

/**
 * What snapshot0 (`wasi_unstable`) cannot take mechanically from preview1: `poll_oneoff` reads its
 * subscriptions (with the extra clock `identifier`) from memory in its own layout. The events it
 * writes have preview1's shape and snapshot0's layout.
 */
const LAYOUT: PollLayout = {
  subscription: SUBSCRIPTION,
  event: EVENT,
  readSubscription: (v, p) => SubscriptionToP1(readSubscription(v, p)),
  writeEvent,
};

export function snapshot0HandWritten(k: Process): WasiUnstableHandWritten {
  return { poll_oneoff: (inPtr, outPtr, count) => pollOneoff(k, LAYOUT, inPtr, outPtr, count) };
}
