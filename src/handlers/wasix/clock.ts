import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { Clockid } from '../../../generated/wasix/types.js';
import { WasiError } from '../../abi/errno-of.js';

/**
 * `clock_time_set`, refused. Wasmer accepts it and keeps a per-instance offset that its clock_time_get
 * adds (lib/wasix/src/syscalls/wasi/clock_time_set.rs, `WasiState::clock_offset`); here clock_time_get
 * is preview1's, reading the host's clocks or the `clock` option, which nothing may move. So the call
 * answers as clock_settime(2) does for a process without the privilege: `perm` for the realtime clock,
 * `inval` for the others, which POSIX says cannot be set at all.
 */
export function wasixClockHandlers(): Pick<Wasix32v1, 'clock_time_set'> {
  return {
    clock_time_set(id) {
      if (id === Clockid.realtime) throw new WasiError('perm', 'the sandbox may not set the realtime clock');
      throw new WasiError('inval', 'only the realtime clock could be set');
    },
  };
}
