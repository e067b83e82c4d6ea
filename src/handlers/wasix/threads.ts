import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { WasiError } from '../../abi/errno-of.js';
import { ProcExit } from '../../errors.js';
import type { Kernel } from '../../kernel.js';

/** The thread and futex calls of WASIX. */
export type ThreadCalls =
  | 'thread_spawn_v2'
  | 'thread_id'
  | 'thread_join'
  | 'thread_exit'
  | 'thread_sleep'
  | 'thread_parallelism'
  | 'thread_signal'
  | 'futex_wait'
  | 'futex_wake'
  | 'futex_wake_all';

/** The id of the one process and of its main thread: Wasmer numbers processes from 1, and a main thread's id is its process's. */
export const WASIX_PID = 1;

const notYet = (name: string) => () => {
  throw new WasiError('notsup', `${name}: not yet: threads come later`);
};

/** WASIX's thread calls for a program running on one thread. */
export function wasixThreadHandlers(k: Kernel): Pick<Wasix32v1, ThreadCalls> {
  return {
    thread_spawn_v2: notYet('thread_spawn_v2'),
    thread_join: notYet('thread_join'),
    thread_parallelism: notYet('thread_parallelism'),
    thread_signal: notYet('thread_signal'),
    futex_wait: notYet('futex_wait'),
    futex_wake: notYet('futex_wake'),
    futex_wake_all: notYet('futex_wake_all'),
    thread_id: () => WASIX_PID,
    thread_sleep(duration) {
      k.sleepNs(duration);
    },
    // The main thread is the only thread: exiting it ends the process with `rval`, as the WITX says.
    thread_exit(rval) {
      throw new ProcExit(rval | 0);
    },
  };
}
