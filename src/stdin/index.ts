import { WasiOptionError } from '../errors.js';
import type { WasiOptions } from '../options.js';
import type { Platform } from '../platform/platform.js';
import { bytesSource, callbackSource, type InputSource } from '../stdio.js';
import { isSharedStdin } from './shared-stdin.js';

export { SharedStdin } from './shared-stdin.js';

/** Every form `options.stdin` takes. */
export type StdinOption = NonNullable<WasiOptions['stdin']>;

/** The guest's stdin for `options.stdin`: a host fd (default 0), fixed bytes, a callback, a SharedStdin, or a stream (Node). */
export function stdinSource(p: Platform, v: StdinOption | undefined): InputSource {
  if (v === undefined) return p.hostInput(0);
  if (typeof v === 'number') return p.hostInput(v);
  if (typeof v === 'function') return callbackSource(v as () => Uint8Array | string | null);
  if (typeof v === 'string' || v instanceof Uint8Array) return bytesSource(v);
  if (isSharedStdin(v)) return v.source();
  if (!p.streamInput) throw new WasiOptionError('ERR_INVALID_ARG_VALUE', 'options.stdin', 'The "options.stdin" stream cannot be read on this platform; pass a SharedStdin fed from another thread');
  return p.streamInput(v);
}
