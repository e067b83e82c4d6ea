import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import { WASM32, type GuestAbi } from '../../abi/guest-abi.js';
import type { Process } from '../../kernel/process.js';

type H = Pick<WasiSnapshotPreview1, 'args_get' | 'args_sizes_get' | 'environ_get' | 'environ_sizes_get'>;

export function argsHandlers(k: Process, abi: GuestAbi = WASM32): H {
  return {
    args_get: (argv, argvBuf) => k.args.write(k.memory, argv, argvBuf, abi),
    args_sizes_get: () => [k.args.count, k.args.bytes.length],
    environ_get: (environ, environBuf) => k.env.write(k.memory, environ, environBuf, abi),
    environ_sizes_get: () => [k.env.count, k.env.bytes.length],
  };
}
