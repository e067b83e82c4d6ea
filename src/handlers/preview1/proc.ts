import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import { ProcExit } from '../../errors.js';
import { signalExitCode } from '../../kernel/signals.js';

type H = Pick<WasiSnapshotPreview1, 'proc_exit' | 'proc_raise' | 'sched_yield'>;

export function procHandlers(): H {
  return {
    proc_exit(code) {
      // The WITX exit code is a u32; start() reports it as a signed 32-bit number, as node:wasi does
      // (exit(-1) gives -1), so swapping node:wasi for wasi-kit changes no result.
      throw new ProcExit(code | 0);
    },
    proc_raise(sig) {
      // Never signals the host: every signal, whatever its default action, ends the guest. 0 sends nothing.
      if (sig === 0) return;
      throw new ProcExit(signalExitCode(sig));
    },
    sched_yield() {
      // A single-threaded guest has nothing to yield to.
    },
  };
}
