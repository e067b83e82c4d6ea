import { Errno } from '../../generated/wasix/types.js';
import { WasiError, errnoOf } from '../abi/errno-of.js';
import type { GuestMemory } from '../abi/memory.js';
import type { GuestStack, ThreadImage } from './asyncify.js';

// `proc_fork`, the worker's half (the kernel's is in handlers/wasix/proc.ts). As Wasmer does
// (lib/wasix/src/syscalls/wasix/proc_fork.rs): the forking thread unwinds with asyncify to its entry,
// so that its whole state is in linear memory and a few globals; the kernel then copies the memory and
// starts a new instance of the module in a new worker, which sets those globals and rewinds the same
// frames, so that `proc_fork` returns there too: with *pid = 0 in the child, the child's pid in the parent.
// The thread's image goes to the kernel as a message before the call (see ThreadImage); the call parks
// until it has arrived.

/**
 * What a `proc_fork` that rewound returns: an errno (the kernel wrote *pid), or success with `pid` written
 * here: 0 in a fork's child and in vfork's child, the child's pid in vfork's parent once the child execs or exits.
 */
export type ForkResult = { readonly errno: number } | { readonly pid: number };

/** What a fork's child resumes with. */
export const IN_CHILD: ForkResult = { pid: 0 };

/**
 * The raw import `proc_fork(copy_memory, ret_pid) -> errno` of a guest thread: `send` posts the image to
 * the kernel, `call` is the channel call to the kernel's proc_fork, which for a fork writes *ret_pid in
 * the parent once the child's memory has been copied. A vfork (copy_memory 0) keeps the point: the thread
 * goes on as the child, and comes back there as the parent (`GuestStack.returnToHeld`).
 */
export function forkImport(
  stack: GuestStack,
  memory: GuestMemory,
  send: (image: ThreadImage) => void,
  call: (copyMemory: number, retPid: number) => number,
): (copyMemory: number, retPid: number) => number {
  return (copyMemory, retPid) => {
    try {
      retPid >>>= 0;
      if (copyMemory !== 0 && copyMemory !== 1) throw new WasiError('inval', `copy_memory ${copyMemory} is not a bool`);
      memory.checkAligned(retPid, 4, 4);
      const resumed = stack.unwound((image): ForkResult => {
        send(image);
        const errno = call(copyMemory, retPid);
        if (copyMemory === 1 || errno !== Errno.success) {
          if (copyMemory === 0) stack.dropHeld();
          return { errno };
        }
        return IN_CHILD;
      }, copyMemory === 0);
      // Unwinding: the guest returns at once, and this result is not read.
      if (resumed === undefined) return 0;
      const r = resumed.value as ForkResult;
      if ('errno' in r) return r.errno;
      memory.refresh();
      memory.view.setUint32(retPid, r.pid, true);
      return Errno.success;
    } catch (err) {
      return errnoOf(err, 'proc_fork', Errno);
    }
  };
}
