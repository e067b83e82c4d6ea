import { STACK_SNAPSHOT, readStackSnapshot, writeStackSnapshot } from '../../generated/wasix/layout.js';
import { Unwind, WasiError } from '../abi/errno-of.js';
import type { GuestMemory } from '../abi/memory.js';

// setjmp/longjmp (WASIX `stack_checkpoint`/`stack_restore`) for guests instrumented by Binaryen's
// asyncify pass, on one guest thread (one instance). Asyncify lets a host unwind the guest's wasm
// stack into a buffer in linear memory (each frame's locals and its place) and later rewind it: the
// exports are called again and every frame jumps back to where it was.
//
// As Wasmer does (lib/wasix/src/syscalls/wasix/stack_checkpoint.rs, stack_restore.rs and the
// unwind/rewind helpers in lib/wasix/src/syscalls/mod.rs):
// - a checkpoint unwinds the whole stack to the outermost export the host called (`_start`, a thread's
//   entry, a signal callback), keeps the unwind data, the shadow stack (linear memory from
//   `__stack_pointer` to the top of that entry's stack) and the mutable exported globals
//   (`__stack_pointer`, `__tls_base`), then rewinds at once so that the call returns 0;
// - a restore puts the globals back, and the shadow stack (see below), and rewinds the kept data, so that the
//   checkpoint's call returns again, with the value given to the restore.
// Where wasi-kit differs, and why:
// - The unwound data lives in the host, under an id written into the guest's `stack_snapshot` record
//   (Wasmer keys it by a hash of the stack). The record is opaque to the guest; a forged or stale one
//   is refused.
// - A restore puts back only the part of the kept shadow stack that lies below the current stack
//   pointer, which no live frame owns: the frames of the function that called setjmp and of its callers
//   keep what they hold now. C requires it for their volatile locals (dash's main keeps its `state` so),
//   and for data they pass down by pointer. Wasmer restores all of it, reverting those. The frames that
//   were dead when the checkpoint was taken (setjmp's own) are restored whenever they are dead again;
//   otherwise they lie in frames being discarded, and setjmp's result is written anew by the host.
// - A restore does not unwind with asyncify: it throws (`LongJump`) through the wasm frames to the
//   entry that took the checkpoint, which is also how a signal callback leaves for a checkpoint of the
//   code it interrupted (asyncify cannot unwind through the host's frames between the two).
// - The asyncify buffer is borrowed from the free stack just below `__stack_pointer`, down to the
//   stack's bottom when it is known (Wasmer writes it at the bottom of the stack). Its bytes are put back
//   once the rewind is over. The bottom matters with threads: below one thread's stack lies another's, or
//   the data, which other threads use meanwhile. It is known for a thread whose `thread_start` record
//   gives its size, and for the main thread of a module that exports `__stack_low` or `__data_end`;
//   otherwise at most SMALL_BUFFER_BYTES are lent on a shared memory (an unshared one has one thread).

/** How many bytes below the stack pointer the unwound frames may take; asyncify traps past the end. */
const BUFFER_BYTES = 64 * 1024;
/** As much when the stack's bottom is unknown. */
const SMALL_BUFFER_BYTES = 16 * 1024;
/** Checkpoints kept per thread: a program that calls setjmp on ever new buffers drops its oldest. */
const MAX_CHECKPOINTS = 1024;

/** One call of an outermost export by the host: the frames a checkpoint unwinds to. */
interface Entry {
  readonly fn: (...args: unknown[]) => unknown;
  readonly args: readonly unknown[];
  /** The highest address of this entry's shadow stack (its frames lie in [stack pointer, top)). */
  readonly top: number | undefined;
  /** The lowest address of the thread's stack, when known. */
  readonly bottom: number | undefined;
}

interface Checkpoint {
  readonly id: number;
  readonly entry: Entry;
  readonly sp: number;
  readonly tls: number | undefined;
  /** The shadow stack [sp, entry.top) when it was taken. */
  readonly stack: Uint8Array;
  /** asyncify's unwound frames. */
  readonly data: Uint8Array;
}

/** Bytes of free stack lent to asyncify, with what they held. */
interface Borrowed {
  readonly at: number;
  readonly saved: Uint8Array;
}

/**
 * A guest thread unwound to its outermost entry, as a fork's child needs it to go on where the parent
 * was (structured-cloneable: it goes from the parent's worker to the child's): which export it is in, its
 * stack pointer and thread-local base, the asyncify data (in memory at `buffer.at`, with the bytes it
 * borrowed in `buffer.saved`), and its checkpoints, so that a setjmp taken before the fork still works.
 */
export interface ThreadImage {
  readonly entry: { readonly name: string; readonly args: readonly unknown[]; readonly top: number | undefined; readonly bottom: number | undefined };
  readonly sp: number;
  readonly tls: number | undefined;
  readonly buffer: Borrowed;
  readonly tag: bigint;
  readonly nextId: number;
  readonly checkpoints: readonly (Omit<Checkpoint, 'entry'> & { readonly record: number | undefined })[];
}

/** Thrown by `stack_restore` through the guest's frames to the entry that took the checkpoint. */
export class LongJump extends Unwind {
  constructor(
    readonly checkpoint: Checkpoint,
    readonly value: bigint,
    /** Back to the point an `unwound` import kept (vfork's parent): its second call gets this. */
    readonly resumed?: unknown,
  ) {
    super('stack_restore');
    this.name = 'LongJump';
  }
}

interface Asyncify {
  startUnwind(at: number): void;
  stopUnwind(): void;
  startRewind(at: number): void;
  stopRewind(): void;
  sp: WebAssembly.Global;
  tls: WebAssembly.Global | undefined;
}

const isFunction = (v: unknown): v is (...a: number[]) => unknown => typeof v === 'function';
const ASYNCIFY_EXPORTS = ['asyncify_start_unwind', 'asyncify_stop_unwind', 'asyncify_start_rewind', 'asyncify_stop_rewind'];

/** A mutable global: assigning its own value throws for an immutable one. */
function mutableGlobal(v: unknown): WebAssembly.Global | undefined {
  if (!(v instanceof WebAssembly.Global)) return undefined;
  try {
    v.value = v.value;
    return v;
  } catch {
    return undefined;
  }
}

function randomU64(): bigint {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return (BigInt(words[0]!) << 32n) | BigInt(words[1]!);
}

/**
 * The checkpoints of one guest thread and the asyncify driver that takes and restores them. The host
 * calls each outermost export through `call`; `checkpoint` and `restore` serve the two imports.
 */
export class GuestStack {
  readonly #memory: GuestMemory;
  #asyncify: Asyncify | undefined;
  /** Set by `bind`. */
  #bound = false;
  /** The bottom of the main thread's stack, when the module says. */
  #mainBottom: number | undefined;
  readonly #entries: Entry[] = [];
  readonly #checkpoints = new Map<number, Checkpoint>();
  /** The checkpoint held by each snapshot record's address: a new one there replaces it. */
  readonly #byRecord = new Map<number, number>();
  #nextId = 1;
  /**
   * Written into every record of this thread, so that a record from elsewhere is refused. Drawn at the
   * first checkpoint: most programs take none, and Node loads its Web Crypto (milliseconds) on the
   * first use of `globalThis.crypto`.
   */
  #tagValue: bigint | undefined;
  /** Set by `resume`: takes over the forked thread's checkpoints once `call` has made their entry. */
  #adopt: ((entry: Entry) => void) | undefined;
  /** Between a checkpoint's first call and the end of its unwind. */
  #unwinding: { entry: Entry; record: number; sp: number; tls: number | undefined; stack: Uint8Array; id: number; buffer: Borrowed } | undefined;
  /** While rewinding: what the checkpoint's call returns when the rewind reaches it. */
  #rewinding: { value: bigint; buffer: Borrowed } | undefined;
  /** Between the first call of an import that runs unwound (`unwound`) and the end of its unwind. */
  #suspending: { entry: Entry; sp: number; tls: number | undefined; stack: Uint8Array; buffer: Borrowed; run: (image: ThreadImage) => unknown; hold: boolean } | undefined;
  /** While rewinding to such an import: what its second call returns. */
  #resuming: { value: unknown; buffer: Borrowed } | undefined;
  /** The point an `unwound` import asked to keep (vfork), to come back to with `returnToHeld`. */
  #held: Checkpoint | undefined;
  #exports: WebAssembly.Exports = {};
  /**
   * Called when the guest traps while a vfork's child runs on this thread (a point is held); ends by
   * throwing: `returnToHeld`'s jump (the parent goes on) or what ends the thread. Without it, or if it
   * returns, the trap ends the thread.
   */
  onHeldTrap: ((trap: WebAssembly.RuntimeError) => void) | undefined;

  constructor(memory: GuestMemory) {
    this.#memory = memory;
  }

  get #tag(): bigint {
    return (this.#tagValue ??= randomU64());
  }

  /** Finds the asyncify exports and the stack pointer; without them a checkpoint is `notsup`. */
  bind(exports: WebAssembly.Exports): void {
    this.#exports = exports;
    const e = exports as Record<string, unknown>;
    // Most programs have no asyncify exports: why a checkpoint is refused is worked out when one is asked.
    this.#bound = true;
    if (!isFunction(e.asyncify_start_unwind)) return;
    this.#bindAsyncify(e);
  }

  #bindAsyncify(e: Record<string, unknown>): void {
    const sp = mutableGlobal(e.__stack_pointer);
    if (ASYNCIFY_EXPORTS.some((n) => !isFunction(e[n])) || !sp) return;
    const f = (n: string) => e[n] as (...a: number[]) => void;
    this.#asyncify = {
      startUnwind: f('asyncify_start_unwind'),
      stopUnwind: f('asyncify_stop_unwind'),
      startRewind: f('asyncify_start_rewind'),
      stopRewind: f('asyncify_stop_rewind'),
      sp,
      tls: mutableGlobal(e.__tls_base),
    };
    const low = e.__stack_low ?? e.__data_end;
    if (low instanceof WebAssembly.Global) this.#mainBottom = (low.value as number) >>> 0;
  }

  /** Why there is no asyncify driver: the guest has not started, or what its module lacks. */
  get #why(): string {
    if (!this.#bound) return 'the guest has not started';
    const e = this.#exports as Record<string, unknown>;
    const missing = ASYNCIFY_EXPORTS.filter((n) => !isFunction(e[n]));
    if (missing.length > 0) return `the module is not instrumented by asyncify (no ${missing.join(', ')} export): setjmp/longjmp need Binaryen's asyncify pass`;
    return 'the module exports no mutable __stack_pointer (link with --export=__stack_pointer)';
  }

  /**
   * Calls the export `fn(...args)` as an outermost entry: a checkpoint taken inside unwinds to here and
   * is rewound from here, and a restore of one of its checkpoints lands here. `thread`: a spawned
   * thread's stack, [bottom, top), as its spawn gave it (bottom unknown when undefined). Otherwise the
   * entry's stack begins at the stack pointer on entry: the main thread's top, or a signal callback's.
   */
  call(fn: (...args: never[]) => unknown, args: readonly unknown[], thread?: { top: number; bottom: number | undefined }): unknown {
    const a = this.#asyncify;
    // Without asyncify nothing unwinds to here: a plain call (and the entry's loop is compiled only when needed).
    if (!a) return (fn as (...args: unknown[]) => unknown)(...args);
    return this.#enter(a, fn as (...args: unknown[]) => unknown, args, thread);
  }

  #enter(a: Asyncify, f: (...args: unknown[]) => unknown, args: readonly unknown[], thread: { top: number; bottom: number | undefined } | undefined): unknown {
    const sp = (a.sp.value as number) >>> 0;
    const outer = this.#entries.at(-1);
    const bottom = thread ? thread.bottom : outer ? outer.bottom : this.#mainBottom !== undefined && this.#mainBottom < sp ? this.#mainBottom : undefined;
    const entry: Entry = { fn: f, args, top: thread ? thread.top : sp, bottom };
    this.#entries.push(entry);
    const adopt = this.#adopt;
    this.#adopt = undefined;
    adopt?.(entry);
    try {
      for (;;) {
        let result: unknown;
        try {
          result = f(...args);
        } catch (thrown) {
          let err = thrown;
          if (err instanceof WebAssembly.RuntimeError && this.#held?.entry === entry && this.onHeldTrap) {
            // vfork's child trapped: it alone ends (as on Linux, where a fault in a vfork child kills only
            // the child), and the parent goes back to its vfork (returnToHeld's jump, taken below).
            this.#unwinding = this.#suspending = undefined;
            try {
              this.onHeldTrap(err);
            } catch (next) {
              err = next;
            }
          }
          if (!(err instanceof LongJump) || err.checkpoint.entry !== entry) throw err;
          this.#rewindTo(a, err.checkpoint, err.value, err.resumed);
          continue;
        }
        const s = this.#suspending;
        if (s !== undefined) {
          // The guest unwound to here for an import that runs unwound (fork): run it, then rewind to it.
          this.#suspending = undefined;
          a.stopUnwind();
          if (s.hold) {
            this.#memory.refresh();
            const end = this.#memory.view.getUint32(s.buffer.at, true);
            this.#held = { id: 0, entry, sp: s.sp, tls: s.tls, stack: s.stack, data: this.#memory.u8.slice(s.buffer.at + 8, end) };
          }
          this.#resuming = { value: s.run(this.#image(s, entry)), buffer: s.buffer };
          a.startRewind(s.buffer.at);
          continue;
        }
        const u = this.#unwinding;
        if (u === undefined) return result;
        // The guest unwound to here for a checkpoint: keep it, then rewind so the call returns 0.
        this.#unwinding = undefined;
        a.stopUnwind();
        this.#memory.refresh();
        const end = this.#memory.view.getUint32(u.buffer.at, true);
        this.#keep({ id: u.id, entry, sp: u.sp, tls: u.tls, stack: u.stack, data: this.#memory.u8.slice(u.buffer.at + 8, end) }, u.record);
        this.#rewinding = { value: 0n, buffer: u.buffer };
        a.startRewind(u.buffer.at);
      }
    } finally {
      this.#entries.pop();
    }
  }

  /** `stack_checkpoint`: 0 now (after an unwind and a rewind), the restore's value when restored. */
  checkpoint(record: number): bigint {
    const a = this.#asyncify;
    const r = this.#rewinding;
    if (a && r) {
      // The rewind has reached the checkpoint's call: the guest runs on from here.
      this.#rewinding = undefined;
      a.stopRewind();
      this.#giveBack(r.buffer);
      return r.value;
    }
    if (!a) throw new WasiError('notsup', this.#why);
    const entry = this.#entries.at(-1);
    if (!entry) throw new WasiError('notsup', 'called from an export the host did not start (setjmp needs an entry such as _start to unwind to)');
    const m = this.#memory;
    m.checkAligned(record, STACK_SNAPSHOT.SIZE, STACK_SNAPSHOT.ALIGN);
    const sp = (a.sp.value as number) >>> 0;
    if (entry.top === undefined || sp > entry.top) throw new WasiError('notsup', `the stack pointer (${sp}) is above the top of this thread's stack (${entry.top})`);
    m.check(sp, entry.top - sp);
    const id = this.#nextId++;
    // The record first: a record on the stack is then kept as it is now, and a restore brings it back intact.
    writeStackSnapshot(m.view, record, { user: BigInt(id), hash: { b0: this.#tag, b1: BigInt(id) } });
    const stack = m.u8.slice(sp, entry.top);
    const tls = a.tls ? (a.tls.value as number) >>> 0 : undefined;
    const buffer = this.#borrow(sp, entry.bottom);
    this.#unwinding = { entry, record, sp, tls, stack, id, buffer };
    a.startUnwind(buffer.at);
    return 0n; // ignored: the guest unwinds instead of reading it
  }

  /** True between an `unwound` import's first call and its rewind (the guest is unwinding). */
  get unwinding(): boolean {
    return this.#suspending !== undefined;
  }

  /**
   * For an import that must run while the calling thread is unwound to its outermost entry, with its
   * whole state in memory (fork): the import's first call starts the unwind and gets undefined (it must
   * return at once, its result ignored); at the entry, `run` gets the thread's image; then the thread
   * rewinds into the import, whose second call gets `{ value }`, what `run` returned. `notsup` without
   * asyncify, and inside a signal callback (the host's frames below it cannot be copied). With `hold`,
   * the point is kept as a checkpoint: `returnToHeld` goes back to it later (vfork's parent).
   */
  unwound(run: (image: ThreadImage) => unknown, hold = false): { value: unknown } | undefined {
    const a = this.#asyncify;
    const r = this.#resuming;
    if (a && r) {
      this.#resuming = undefined;
      a.stopRewind();
      this.#giveBack(r.buffer);
      return { value: r.value };
    }
    if (!a) throw new WasiError('notsup', this.#why);
    const entry = this.#entries.at(-1);
    if (!entry) throw new WasiError('notsup', 'called from an export the host did not start (the stack needs an entry such as _start to unwind to)');
    if (this.#entries.length > 1) throw new WasiError('notsup', 'called from a signal callback: the host frames below it cannot be copied');
    // Refused here, before an image is sent: the kernel refuses it too, and an image it never took would
    // be taken by this thread's next fork in place of that fork's own (messages and calls are not ordered).
    if (this.#held) throw new WasiError('notsup', "a vfork's child cannot fork or vfork before it execs or exits");
    const sp = (a.sp.value as number) >>> 0;
    const tls = a.tls ? (a.tls.value as number) >>> 0 : undefined;
    if (entry.top === undefined || sp > entry.top) throw new WasiError('notsup', `the stack pointer (${sp}) is above the top of this thread's stack (${entry.top})`);
    this.#memory.check(sp, entry.top - sp);
    const stack = hold ? this.#memory.u8.slice(sp, entry.top) : new Uint8Array(0);
    const buffer = this.#borrow(sp, entry.bottom);
    this.#suspending = { entry, sp, tls, stack, buffer, run, hold };
    a.startUnwind(buffer.at);
    return undefined;
  }

  /**
   * Goes on as the thread `image` describes, in this (new) instance over a copy of its memory: sets the
   * stack pointer and thread-local base, takes over its checkpoints, and rewinds its entry into the
   * import that unwound it, whose second call gets `value`. Returns what the entry returns.
   */
  resume(image: ThreadImage, value: unknown): unknown {
    const a = this.#asyncify;
    if (!a) throw new WebAssembly.RuntimeError(this.#why);
    const fn = this.#exports[image.entry.name];
    if (typeof fn !== 'function') throw new WebAssembly.RuntimeError(`fork: the module has no export ${image.entry.name} to resume`);
    a.sp.value = image.sp;
    if (a.tls && image.tls !== undefined) a.tls.value = image.tls;
    // The checkpoints come with it, under the parent's tag (their records in the copied memory name them).
    this.#tagValue = image.tag;
    this.#nextId = image.nextId;
    this.#adopt = (entry) => {
      for (const { record, ...cp } of image.checkpoints) this.#keep({ ...cp, entry }, record);
    };
    this.#resuming = { value, buffer: image.buffer };
    a.startRewind(image.buffer.at);
    return this.call(fn as (...args: never[]) => unknown, image.entry.args, { top: image.entry.top ?? image.sp, bottom: image.entry.bottom });
  }

  /**
   * Leaves for the point kept by `unwound(run, true)` (throws through the guest's frames to its
   * entry, as a longjmp): the import's second call there gets `{ value }`. Only once.
   */
  returnToHeld(value: unknown): never {
    const cp = this.#held;
    if (!cp || !this.#entries.includes(cp.entry)) throw new WebAssembly.RuntimeError('vfork: the parent cannot be resumed: its point is gone');
    this.#held = undefined;
    throw new LongJump(cp, 0n, value);
  }

  /** Forgets the point `unwound(run, true)` kept (the vfork was refused). */
  dropHeld(): void {
    this.#held = undefined;
  }

  /** `stack_restore`: leaves for the checkpoint in `record`, whose call then returns `value` (1 for 0). */
  restore(record: number, value: bigint): never {
    if (!this.#asyncify) throw new WasiError('notsup', this.#why);
    const m = this.#memory;
    m.checkAligned(record, STACK_SNAPSHOT.SIZE, STACK_SNAPSHOT.ALIGN);
    const r = readStackSnapshot(m.view, record);
    const cp = r.hash.b0 === this.#tag && r.hash.b1 === r.user ? this.#checkpoints.get(Number(r.user)) : undefined;
    if (!cp) throw new WasiError('inval', 'the record is not a checkpoint of this thread');
    // The frames were unwound to an entry that has since returned (a signal callback's): nothing to rewind from.
    if (!this.#entries.includes(cp.entry)) throw new WasiError('inval', "the checkpoint's entry point has returned");
    throw new LongJump(cp, value === 0n ? 1n : value);
  }

  /** The image of this thread, unwound to `entry` (its only one) for `unwound`. */
  #image(s: { sp: number; tls: number | undefined; buffer: Borrowed }, entry: Entry): ThreadImage {
    const name = Object.entries(this.#exports).find(([, v]) => v === entry.fn)?.[0];
    if (name === undefined) throw new Error('unreachable: the entry is not an export');
    const records = new Map([...this.#byRecord].map(([record, id]) => [id, record]));
    const checkpoints = [...this.#checkpoints.values()]
      .filter((cp) => cp.entry === entry)
      .map(({ id, sp, tls, stack, data }) => ({ id, sp, tls, stack, data, record: records.get(id) }));
    return { entry: { name, args: entry.args, top: entry.top, bottom: entry.bottom }, sp: s.sp, tls: s.tls, buffer: s.buffer, tag: this.#tag, nextId: this.#nextId, checkpoints };
  }

  #keep(cp: Checkpoint, record: number | undefined): void {
    if (record === undefined) {
      this.#checkpoints.set(cp.id, cp);
      return;
    }
    const previous = this.#byRecord.get(record);
    if (previous !== undefined) this.#checkpoints.delete(previous);
    this.#byRecord.set(record, cp.id);
    this.#checkpoints.set(cp.id, cp);
    if (this.#checkpoints.size > MAX_CHECKPOINTS) {
      const [oldest] = this.#checkpoints.keys();
      this.#checkpoints.delete(oldest!);
    }
  }

  #rewindTo(a: Asyncify, cp: Checkpoint, value: bigint, resumed: unknown): void {
    const m = this.#memory;
    m.refresh();
    const now = (a.sp.value as number) >>> 0;
    a.sp.value = cp.sp;
    if (a.tls && cp.tls !== undefined) a.tls.value = cp.tls;
    if (now > cp.sp) m.u8.set(cp.stack.subarray(0, now - cp.sp), cp.sp);
    const buffer = this.#borrow(cp.sp, cp.entry.bottom);
    if (8 + cp.data.length > cp.sp - buffer.at) throw new WebAssembly.RuntimeError('stack_restore: no room below the stack pointer to rewind the checkpoint');
    m.view.setUint32(buffer.at, buffer.at + 8 + cp.data.length, true);
    m.u8.set(cp.data, buffer.at + 8);
    if (resumed !== undefined) this.#resuming = { value: resumed, buffer };
    else this.#rewinding = { value, buffer };
    a.startRewind(buffer.at);
  }

  /** Lends asyncify the bytes below `sp` ([at, sp), above `bottom`), headed by its {current, end} pair. */
  #borrow(sp: number, bottom: number | undefined): Borrowed {
    const m = this.#memory;
    m.refresh();
    const shared = typeof SharedArrayBuffer !== 'undefined' && m.u8.buffer instanceof SharedArrayBuffer;
    const lend = bottom === undefined && shared ? SMALL_BUFFER_BYTES : BUFFER_BYTES;
    const at = Math.max(bottom === undefined ? 0 : bottom + 7, sp - lend) & ~7;
    if (sp - at < 16) throw new WasiError('notsup', `no room below the stack pointer (${sp}) to unwind the stack`);
    const saved = m.u8.slice(at, sp);
    m.view.setUint32(at, at + 8, true);
    m.view.setUint32(at + 4, sp, true);
    return { at, saved };
  }

  #giveBack(b: Borrowed): void {
    this.#memory.refresh();
    this.#memory.u8.set(b.saved, b.at);
  }
}
