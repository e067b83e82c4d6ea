import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import type { Process } from '../../kernel/process.js';
import { GuestStack } from '../../threads/asyncify.js';

/** setjmp/longjmp: served by the calling thread's own stack (a worker's for a threaded program). */
export type StackCalls = 'stack_checkpoint' | 'stack_restore';

/** The calls a guest thread answers itself, in its own worker: they unwind and rewind that thread's instance. */
export const STACK_CALLS = ['stack_checkpoint', 'stack_restore'] as const;

/** `stack_checkpoint` and `stack_restore` over one thread's stack (src/threads/asyncify.ts). */
export function wasixStackHandlers(stack: GuestStack): Pick<Wasix32v1, StackCalls> {
  return {
    stack_checkpoint: (snapshot) => stack.checkpoint(snapshot),
    stack_restore: (snapshot, val) => stack.restore(snapshot, val),
  };
}

const perProcess = new WeakMap<Process, GuestStack>();

/** The stack of the thread that runs on the kernel's own thread (a program run by `start()`). */
export function stackOf(k: Process): GuestStack {
  let s = perProcess.get(k);
  if (!s) perProcess.set(k, (s = new GuestStack(k.memory)));
  return s;
}
