import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import type { Process } from '../../kernel/process.js';
import { argsHandlers } from './args.js';
import { clockHandlers } from './clock.js';
import { fdHandlers } from './fd.js';
import { pathHandlers } from './path.js';
import { pollHandlers } from './poll.js';
import { procHandlers } from './proc.js';
import { randomHandlers } from './random.js';
import { sockHandlers } from './sock.js';

/** The one real implementation of WASI: preview1, over a kernel. Other versions adapt to it. */
export function preview1Handlers(k: Process): WasiSnapshotPreview1 {
  return {
    ...argsHandlers(k),
    ...clockHandlers(k),
    ...fdHandlers(k),
    ...pathHandlers(k),
    ...pollHandlers(k),
    ...procHandlers(),
    ...randomHandlers(k),
    ...sockHandlers(k),
  };
}
