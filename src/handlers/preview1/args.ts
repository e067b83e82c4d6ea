import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import type { Process } from '../../kernel/process.js';

type H = Pick<WasiSnapshotPreview1, 'args_get' | 'args_sizes_get' | 'environ_get' | 'environ_sizes_get'>;

export function argsHandlers(k: Process): H {
  return {
    args_get: (argv, argvBuf) => k.args.write(k.memory, argv, argvBuf),
    args_sizes_get: () => [k.args.count, k.args.bytes.length],
    environ_get: (environ, environBuf) => k.env.write(k.memory, environ, environBuf),
    environ_sizes_get: () => [k.env.count, k.env.bytes.length],
  };
}
