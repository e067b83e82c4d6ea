import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import { ClockidNames } from '../../../generated/preview1/types.js';
import type { Process } from '../../kernel/process.js';

type H = Pick<WasiSnapshotPreview1, 'clock_res_get' | 'clock_time_get'>;

export function clockHandlers(k: Process): H {
  const { clock } = k;
  return {
    clock_res_get: (id) => clock.resolution(ClockidNames[id]!),
    // The precision argument is a hint that no host clock here can use.
    clock_time_get: (id) => clock.now(ClockidNames[id]!),
  };
}
