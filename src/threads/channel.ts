// The syscall channel between a guest thread's worker and the kernel. Guest memory is shared, so a
// call carries only the function's index and its raw arguments: the worker writes them into its
// own control block (a few Int32 words in a SharedArrayBuffer), rings the kernel's doorbell and
// waits on its state word; the kernel runs the ordinary import against the same memory, writes the
// result and notifies. Nothing is copied and nothing is allocated per call.

/** State word values. */
export const IDLE = 0;
export const REQUEST = 1;
export const RESPONSE = 2;

/** Word offsets in a control block. */
export const STATE = 0;
export const FN = 1;
export const RESULT = 2;
/**
 * With a response: how many signals the thread must hand to the guest's callback before it returns (pairs
 * at ARGS); or PARENT_RESUMES.
 */
export const SIGNALS = 3;
/** In SIGNALS: a vfork's child has exec'd or exited; the thread goes back to its parent's `proc_fork`, RESULT the child's pid. */
export const PARENT_RESUMES = -1;
/** In SIGNALS: the process has ended (proc_exit): the thread leaves the guest and its worker goes idle, RESULT the exit code. */
export const PROCESS_ENDS = -2;
export const ARGS = 4;
/** Two words per argument (an i64 is two halves), for up to this many arguments. */
export const MAX_ARGS = 16;
export const CONTROL_BYTES = (ARGS + 2 * MAX_ARGS) * 4;

/** One imported function as both sides number it: its place in the module's import list. */
export interface ChannelFunction {
  readonly module: string;
  readonly name: string;
  /** Core parameter types. */
  readonly params: readonly ('i32' | 'i64')[];
}

/** The functions of a module that go through the channel, in import order (both sides compute the same list). */
export function channelFunctions(module: WebAssembly.Module, paramsOf: (module: string, name: string) => readonly ('i32' | 'i64')[] | undefined): ChannelFunction[] {
  const out: ChannelFunction[] = [];
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.kind !== 'function') continue;
    const params = paramsOf(i.module, i.name);
    if (params === undefined) continue;
    if (params.length > MAX_ARGS) throw new Error(`${i.module}.${i.name} has more than ${MAX_ARGS} parameters`);
    out.push({ module: i.module, name: i.name, params });
  }
  return out;
}

/**
 * The worker's side: puts request `fn` (arguments already at ARGS) to the kernel and waits for its
 * answer: RESULT is returned, SIGNALS left for the caller to read.
 */
function exchange(control: Int32Array, doorbell: Int32Array, fn: number): number {
  control[FN] = fn;
  Atomics.store(control, STATE, REQUEST);
  Atomics.add(doorbell, 0, 1);
  Atomics.notify(doorbell, 0);
  while (Atomics.load(control, STATE) === REQUEST) Atomics.wait(control, STATE, REQUEST);
  const result = control[RESULT]!;
  Atomics.store(control, STATE, IDLE);
  return result;
}

/** In FN: no function, but the news that the vfork's child running on this thread trapped. */
export const VFORK_TRAPPED = -1;

/**
 * The worker's side: tells the kernel that the vfork's child on this thread trapped. The kernel ends the
 * child and answers PARENT_RESUMES (RESULT the child's pid) or PROCESS_ENDS; `deliver` takes that answer.
 */
export function vforkTrapped(control: Int32Array, doorbell: Int32Array, deliver: (control: Int32Array, count: number) => void): void {
  exchange(control, doorbell, VFORK_TRAPPED);
  deliver(control, control[SIGNALS]!);
}

/**
 * The worker's side: a raw import function that sends its call to the kernel and waits. One closure
 * per function, fixed arity, so a call allocates nothing (an i64 argument is split with BigInt math).
 */
export function remoteFunction(
  f: ChannelFunction,
  index: number,
  control: Int32Array,
  doorbell: Int32Array,
  deliver: (control: Int32Array, count: number) => void,
): (...args: (number | bigint)[]) => number {
  const types = f.params;
  const n = types.length;
  const send = (): number => {
    const result = exchange(control, doorbell, index);
    const signals = control[SIGNALS]!;
    if (signals !== 0) deliver(control, signals);
    return result;
  };
  const put = (k: number, v: number | bigint | undefined) => {
    if (types[k] === 'i64') {
      const b = v as bigint;
      control[ARGS + 2 * k] = Number(BigInt.asIntN(32, b));
      control[ARGS + 2 * k + 1] = Number(BigInt.asIntN(32, b >> 32n));
    } else control[ARGS + 2 * k] = v as number;
  };
  return function (a?: number | bigint, b?: number | bigint, c?: number | bigint, d?: number | bigint, e?: number | bigint, f?: number | bigint, g?: number | bigint, h?: number | bigint, i?: number | bigint, j?: number | bigint, k?: number | bigint, l?: number | bigint, m?: number | bigint, o?: number | bigint, p?: number | bigint, q?: number | bigint): number {
    if (n > 0) put(0, a);
    if (n > 1) put(1, b);
    if (n > 2) put(2, c);
    if (n > 3) put(3, d);
    if (n > 4) put(4, e);
    if (n > 5) put(5, f);
    if (n > 6) put(6, g);
    if (n > 7) put(7, h);
    if (n > 8) put(8, i);
    if (n > 9) put(9, j);
    if (n > 10) put(10, k);
    if (n > 11) put(11, l);
    if (n > 12) put(12, m);
    if (n > 13) put(13, o);
    if (n > 14) put(14, p);
    if (n > 15) put(15, q);
    return send();
  };
}

/** The kernel's side: the arguments of the call in `control`, decoded into `into` (reused per function). */
export function readArguments(f: ChannelFunction, control: Int32Array, into: (number | bigint)[]): void {
  const types = f.params;
  for (let k = 0; k < types.length; k++) {
    const lo = control[ARGS + 2 * k]!;
    into[k] = types[k] === 'i64' ? (BigInt(control[ARGS + 2 * k + 1]!) << 32n) | BigInt(lo >>> 0) : lo;
  }
}

/**
 * The kernel's side: answers a call with PARENT_RESUMES (a vfork's child exec'd or exited: its thread goes
 * back to being the parent; `value` the child's pid) or PROCESS_ENDS (`value` the exit code).
 */
export function answerSpecial(control: Int32Array, what: typeof PARENT_RESUMES | typeof PROCESS_ENDS, value: number): void {
  control[RESULT] = value;
  control[SIGNALS] = what;
  Atomics.store(control, STATE, RESPONSE);
  Atomics.notify(control, STATE);
}

/**
 * The kernel's side: answers the call in `control` with `result` and wakes its thread, which first
 * runs the guest's signal callback for each `[export index, signal]` pair in `signals` (as Wasmer
 * runs signal handlers on the thread that makes the syscall).
 */
export function answer(control: Int32Array, result: number, signals?: readonly number[]): void {
  control[RESULT] = result;
  const n = signals === undefined ? 0 : Math.min(signals.length, 2 * MAX_ARGS) >> 1;
  for (let i = 0; i < 2 * n; i++) control[ARGS + i] = signals![i]!;
  control[SIGNALS] = n;
  Atomics.store(control, STATE, RESPONSE);
  Atomics.notify(control, STATE);
}
