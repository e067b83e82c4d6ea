import type { WasiSnapshotPreview1 } from '../../generated/preview1/handlers.js';
import type * as P1 from '../../generated/preview1/types.js';
import { Eventtype as P1Eventtype } from '../../generated/preview1/types.js';
import {
  DirentFromP1,
  ErrnoFromP1,
  FiletypeFromP1,
  OflagsToP1,
  RightsToP1,
  SubscriptionToP1,
  type WasiEphemeralFdHandWritten,
  type WasiEphemeralPathHandWritten,
  type WasiEphemeralPollHandWritten,
} from '../../generated/ephemeral/adapter.js';
import { DIRENT, EVENT, SUBSCRIPTION, readSubscription, writeDirent, writeEvent } from '../../generated/ephemeral/layout.js';
import { Permissions, type Event, type Filestat } from '../../generated/ephemeral/types.js';
import { WasiError } from '../abi/errno-of.js';
import type { Process } from '../kernel/process.js';
import { readdir } from './preview1/fd.js';
import { pollOneoff, type PollLayout } from './preview1/poll.js';

// What the ephemeral phase adds in meaning, not layout: per-file `permissions`, and `event`'s union.
// None of the filesystems here has permission bits, so every file reads as readable and writable,
// and setting permissions is `notsup`.

const PERMISSIONS = Permissions.read | Permissions.write;

function filestat(s: P1.Filestat): Filestat {
  return { ...s, filetype: FiletypeFromP1(s.filetype), permissions: PERMISSIONS };
}

function event(e: P1.Event): Event {
  const error = ErrnoFromP1(e.error);
  if (e.type === P1Eventtype.clock) return { userdata: e.userdata, error, u: { tag: 'clock' } };
  return { userdata: e.userdata, error, u: { tag: e.type === P1Eventtype.fd_read ? 'fd_read' : 'fd_write', value: e.fd_readwrite } };
}

const POLL_LAYOUT: PollLayout = {
  subscription: SUBSCRIPTION,
  event: EVENT,
  readSubscription: (v, p) => SubscriptionToP1(readSubscription(v, p)),
  writeEvent: (v, p, e) => writeEvent(v, p, event(e)),
};

export function ephemeralHandWritten(k: Process, p1: WasiSnapshotPreview1) {
  const fd: WasiEphemeralFdHandWritten = {
    filestat_get: (f) => filestat(p1.fd_filestat_get(f)),
    permissions_set(f) {
      k.fds.get(f, 0);
      throw new WasiError('notsup', 'the filesystems have no permission bits');
    },
    readdir: (f, buf, bufLen, cookie) => readdir(k, f, buf, bufLen, cookie, DIRENT.SIZE, (v, p, d) => writeDirent(v, p, DirentFromP1(d))),
  };
  const path: WasiEphemeralPathHandWritten = {
    filestat_get: (f, flags, p) => filestat(p1.path_filestat_get(f, flags, p)),
    permissions_set(f) {
      k.fds.get(f, 0);
      throw new WasiError('notsup', 'the filesystems have no permission bits');
    },
    // Requested permissions for a new file cannot be kept by any backend here; the open proceeds.
    open: (f, dirflags, p, oflags, base, inheriting, fdflags) =>
      p1.path_open(f, dirflags, p, OflagsToP1(oflags), RightsToP1(base), RightsToP1(inheriting), fdflags),
  };
  const poll: WasiEphemeralPollHandWritten = {
    oneoff: (inPtr, outPtr, count) => pollOneoff(k, POLL_LAYOUT, inPtr, outPtr, count),
  };
  return { fd, path, poll };
}
