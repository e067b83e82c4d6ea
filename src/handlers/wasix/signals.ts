import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { WasiError } from '../../abi/errno-of.js';
import type { Process } from '../../kernel/process.js';

// The signal calls over the process's signals (src/kernel/signals.ts says how they are delivered).

type SignalCalls = 'callback_signal' | 'proc_parent' | 'proc_signal' | 'proc_raise_interval' | 'proc_signals_get' | 'proc_signals_sizes_get';

/** The process and signal calls of WASIX for the one process. */
export function wasixSignalHandlers(k: Process): Pick<Wasix32v1, SignalCalls> {
  const { signals } = k;
  return {
    callback_signal(name) {
      signals.setCallback(name);
      // As Wasmer, a signal that was waiting for a callback reaches it now.
      signals.deliver();
    },
    proc_parent(pid) {
      // Wasmer (lib/wasix/src/syscalls/wasix/proc_parent.rs) answers 0 for a process without a parent
      // (WasiProcess::ppid defaults to WasiProcessId(0)) and badf for a pid it does not know.
      const p = k.kernel.processes.get(pid);
      if (!p) throw new WasiError('badf', `no process ${pid}`);
      return p.parent;
    },
    proc_signal(pid, sig) {
      // Wasmer ignores an unknown pid and succeeds; POSIX kill() says srch.
      const p = k.kernel.processes.get(pid);
      if (!p || p.status !== undefined) throw new WasiError('srch', `no process ${pid}`);
      // Another process without a handler for it ends at once, wherever it is (it may be blocked);
      // one with a handler gets it at its next syscall, as this one does.
      if (p !== k && k.kernel.launcher && p.signals.terminates(sig)) k.kernel.launcher.kill(p, { signal: sig });
      else p.signals.raise(sig);
      signals.deliver();
    },
    proc_raise_interval(sig, interval, repeat) {
      // The WITX's $timestamp is nanoseconds, and wasix-libc's setitimer/alarm pass nanoseconds.
      signals.setTimer(sig, interval, repeat === 1);
      signals.deliver();
    },
    // Dispositions the host sets for the guest (Wasmer's `WasiState::signals`, filled by its embedder):
    // wasi-kit sets none, so there are none to list.
    proc_signals_sizes_get: () => 0,
    proc_signals_get() {},
  };
}
