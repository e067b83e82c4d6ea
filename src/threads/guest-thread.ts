import { createWasix32v1Imports } from '../../generated/wasix/imports.js';
import type { Wasix32v1 } from '../../generated/wasix/handlers.js';
import { GuestMemory } from '../abi/memory.js';
import { STACK_CALLS, wasixStackHandlers } from '../handlers/wasix/stack.js';
import { THREAD_LOCALS_2023, threadLocalImports } from '../handlers/wasix/abi2023.js';
import { ThreadLocalKeys, ThreadLocalValues } from '../handlers/wasix/thread-locals.js';
import { THREAD_LOCAL_CALLS, ThreadExit, threadLocalHandlers } from '../handlers/wasix/threads.js';
import { GuestStack } from './asyncify.js';
import { ARGS, PARENT_RESUMES, PROCESS_ENDS, RESULT, remoteFunction, vforkTrapped } from './channel.js';
import { forkImport, IN_CHILD, type ForkResult } from './fork.js';
import type { FromWorker, InitMessage, StartMessage, ToWorker } from './messages.js';

/** Thrown through the guest's frames when its process has ended (the kernel answered a call so). */
class ProcessEnds extends Error {}

/** How a worker talks to the kernel's thread (Node's parentPort or a browser worker's global scope). */
export interface WorkerPort {
  post(message: FromWorker): void;
  onMessage(handler: (message: ToWorker) => void): void;
}

const LOCAL = new Set<string>([...THREAD_LOCAL_CALLS, ...STACK_CALLS]);
const LOCAL_2023 = new Set<string>(THREAD_LOCALS_2023);
/** An i64 as the two i32 halves the 2023 ABI's exports take. */
const halves = (v: bigint) => [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];

/**
 * The body of a guest thread's worker: on `init` it keeps the module and the shared memory; on each
 * `start` it instantiates the module afresh (each thread has its own globals, e.g. the stack
 * pointer, over the one memory) and runs the thread. Every syscall goes to the kernel through the
 * channel, but for the few a thread answers itself (futexes, its id, its exit).
 */
export function guestThread(port: WorkerPort): void {
  let init: InitMessage | undefined;
  port.onMessage((message) => {
    if (message.type === 'init') init = message;
    else if (message.type === 'reset') init = undefined;
    else if (init) run(init, message, port);
  });
}

function run(init: InitMessage, start: StartMessage, port: WorkerPort): void {
  const { tid } = start;
  try {
    // Signal callbacks are exports of this thread's instance, named by index in the module's export list.
    const names = WebAssembly.Module.exports(init.module).map((e) => e.name);
    let exports: WebAssembly.Exports = {};
    const memory = new GuestMemory();
    memory.bind(init.memory);
    // This thread's setjmp/longjmp: the entries below are what its checkpoints unwind to.
    const stack = new GuestStack(memory);
    // Its thread-local values (2023 ABI), under the process's keys.
    const locals = new ThreadLocalValues(new ThreadLocalKeys(init.threadLocalKeys));
    const deliverPairs = (pairs: readonly number[]) => {
      for (let i = 0; i < pairs.length; i += 2) stack.call(exports[names[pairs[i]!]!] as (signo: number) => void, [pairs[i + 1]!]);
    };
    const deliver = (control: Int32Array, count: number) => {
      // A vfork's child is over (it exec'd or exited): back to the parent's proc_fork, which returns its pid.
      if (count === PARENT_RESUMES) stack.returnToHeld({ pid: control[RESULT]! >>> 0 } satisfies ForkResult);
      // The process has ended: leave the guest, so that this worker is idle again.
      if (count === PROCESS_ENDS) throw new ProcessEnds();
      deliverPairs(Array.from(control.subarray(ARGS, ARGS + 2 * count)));
    };
    // A trap while a vfork's child runs here is the child's: the kernel ends it and the parent resumes
    // (`deliver` throws back to its vfork, or ends the thread when the process has ended meanwhile).
    stack.onHeldTrap = () => vforkTrapped(new Int32Array(init.control), new Int32Array(init.doorbell), deliver);
    // A fork's child: instantiating writes the data segments over the copy of the parent's memory; keep what the copy holds there.
    const kept = start.fork ? (start.forkKeeps ?? [[0, memory.u8.length]]).map(([at, n]) => [at, memory.u8.slice(at, at + n)] as const) : [];
    const instance = new WebAssembly.Instance(init.module, imports(init, tid, memory, stack, locals, deliver, deliverPairs, port));
    memory.refresh();
    for (const [at, bytes] of kept) memory.u8.set(bytes, at);
    exports = instance.exports;
    stack.bind(exports);
    let exitCode: number | undefined;
    try {
      if (start.fork) stack.resume(start.fork, IN_CHILD);
      else if (start.main) stack.call(exports._start as () => void, []);
      else if (start.userData2023 !== undefined) {
        // The 2023 ABI's thread: the host sets its stack pointer, then `_start_thread(user_data_lo, user_data_hi)`.
        const sp = exports.__stack_pointer;
        if (!(sp instanceof WebAssembly.Global)) throw new WebAssembly.RuntimeError('thread_spawn: the module exports no __stack_pointer for the new thread');
        sp.value = start.stack!.top;
        stack.call(exports._start_thread as (lo: number, hi: number) => void, halves(start.userData2023), start.stack);
      } else stack.call(exports.wasi_thread_start as (tid: number, arg: number) => void, [tid, start.arg], start.stack);
    } catch (err) {
      if (err instanceof ProcessEnds) {
        port.post({ type: 'ended', tid });
        return;
      }
      if (!(err instanceof ThreadExit)) throw err;
      exitCode = err.exitCode;
    }
    // A spawned thread's end calls the guest's destructor for each of its thread-local values (the
    // main thread's end is the program's).
    const destroy = exports._thread_local_destroy as ((...halves: number[]) => void) | undefined;
    if (!start.main && typeof destroy === 'function') locals.end((userData, value) => destroy(...halves(userData), ...halves(value)));
    port.post(exitCode === undefined ? { type: 'ended', tid } : { type: 'ended', tid, exitCode });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.post({ type: 'failed', tid, name: e instanceof WebAssembly.RuntimeError ? 'RuntimeError' : e.name, message: e.message });
  }
}

function imports(
  init: InitMessage,
  tid: number,
  memory: GuestMemory,
  stack: GuestStack,
  locals: ThreadLocalValues,
  deliver: (control: Int32Array, count: number) => void,
  deliverPairs: (pairs: readonly number[]) => void,
  port: WorkerPort,
): WebAssembly.Imports {
  const control = new Int32Array(init.control);
  const doorbell = new Int32Array(init.doorbell);
  const remote = init.functions;
  const local = createWasix32v1Imports(
    {
      ...wasixStackHandlers(stack),
      ...threadLocalHandlers({
        tid,
        memory,
        exit(rval) {
          throw new ThreadExit(rval | 0);
        },
        sleepMs() {
          throw new Error('unreachable: a worker always has a shared memory');
        },
      }),
    } as unknown as Wasix32v1,
    memory,
  ) as unknown as Record<string, WebAssembly.ImportValue>;
  const out: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  const put = (module: string, name: string, value: WebAssembly.ImportValue) => ((out[module] ??= {})[name] = value);
  put(init.memoryImport.module, init.memoryImport.name, init.memory);
  const local2023 = threadLocalImports(locals, memory) as Record<string, WebAssembly.ImportValue>;
  remote.forEach((f, index) => {
    if (f.module === 'wasix_32v1' && f.name === 'proc_fork') {
      // Signals that come with the kernel's answer wait until the thread has rewound: while it is
      // unwound, its frames lie below the stack pointer, where a callback would run.
      const later: number[] = [];
      const call = remoteFunction(f, index, control, doorbell, (c, count) => (count < 0 ? deliver(c, count) : later.push(...c.subarray(ARGS, ARGS + 2 * count))));
      const fork = forkImport(stack, memory, (image) => port.post({ type: 'fork', tid, image }), call);
      put(f.module, f.name, (copyMemory: number, retPid: number) => {
        const errno = fork(copyMemory, retPid);
        if (later.length > 0 && !stack.unwinding) deliverPairs(later.splice(0));
        return errno;
      });
    } else if (f.module === 'wasix_32v1' && LOCAL.has(f.name)) put(f.module, f.name, local[f.name]!);
    else if (f.module === 'wasix_32v1' && LOCAL_2023.has(f.name)) put(f.module, f.name, local2023[f.name]!);
    else put(f.module, f.name, remoteFunction(f, index, control, doorbell, deliver));
  });
  return out;
}
