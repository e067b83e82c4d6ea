import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import type { Process } from '../../kernel/process.js';

// Web Crypto fills at most 64 KiB per call; larger requests go in chunks.
const CHUNK = 65536;

export function randomHandlers(k: Process): Pick<WasiSnapshotPreview1, 'random_get'> {
  return {
    random_get(buf, len) {
      const bytes = k.memory.bytes(buf, len);
      for (let at = 0; at < len; at += CHUNK) k.randomFill(bytes.subarray(at, Math.min(len, at + CHUNK)));
    },
  };
}
