import type { AbiFunction } from './abi/abi-json.js';
import type { GuestMemory } from './abi/memory.js';
import { Blocked } from './kernel/blocking.js';

export type ImportFunctions = Record<string, (...args: never[]) => unknown>;

/** One syscall, as given to `options.trace`. */
export interface TraceEvent {
  readonly module: string;
  readonly name: string;
  /** Core wasm arguments by their ABI names (`fd`, `iovs`, `iovs_len`, `retptr0`). */
  readonly args: Readonly<Record<string, number | bigint>>;
  /** The errno returned, by name (`'success'`, `'badf'`), or undefined for calls that return none. */
  readonly errno: string | undefined;
  /** The function's ABI (WITX params and types, core params and their roles), for decoding `args`. */
  readonly abi: AbiFunction;
  /** Guest memory after the call, for following pointers; valid until the guest's memory grows. */
  readonly memory: Uint8Array;
  /** Wall time of the call in nanoseconds (host clock). */
  readonly durationNs: number;
  /** The process and thread that made the call, when the program is threaded (several threads may call). */
  readonly thread?: { readonly pid: number; readonly tid: number };
}

const now = () => performance.now();

/**
 * Wraps every import to report each call, decoded by the ABI metadata; untraced imports stay bare. A
 * name with several forms (the 2023 WASIX ABI's, handlers/wasix/abi2023.ts) is decoded by the form
 * whose parameter count the call has.
 */
export function traced(
  imports: ImportFunctions,
  functions: readonly AbiFunction[],
  errnoNames: readonly string[],
  memory: GuestMemory,
  trace: (e: TraceEvent) => void,
  thread?: () => { pid: number; tid: number } | undefined,
): ImportFunctions {
  const out: ImportFunctions = { ...imports };
  const forms = new Map<string, AbiFunction[]>();
  for (const f of functions) forms.set(f.name, [...(forms.get(f.name) ?? []), f]);
  for (const [name, list] of forms) {
    const fn = imports[name] as ((...a: unknown[]) => unknown) | undefined;
    if (!fn) continue;
    const only = list.length === 1 ? list[0] : undefined;
    out[name] = (...args: unknown[]) => {
      const f = only ?? list.find((x) => x.core.params.length === args.length) ?? list[0]!;
      const named: Record<string, number | bigint> = {};
      f.core.params.forEach((p, i) => (named[p.name] = args[i] as number | bigint));
      let result: unknown;
      let parked = false;
      const start = now();
      try {
        result = fn(...args);
      } catch (err) {
        // A parked call (threads) is reported once, when it is answered, not at every attempt.
        parked = err instanceof Blocked;
        throw err;
      } finally {
        if (!parked) {
          memory.refresh();
          trace({
            module: f.module,
            name: f.name,
            args: named,
            errno: typeof result === 'number' ? errnoNames[result] : undefined,
            abi: f,
            memory: memory.u8,
            durationNs: Math.round((now() - start) * 1e6),
            thread: thread?.(),
          });
        }
      }
      return result;
    };
  }
  return out;
}
