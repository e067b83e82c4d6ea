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
}

const now = () => performance.now();

/** Wraps every import to report each call, decoded by the ABI metadata; untraced imports stay bare. */
export function traced(
  imports: ImportFunctions,
  functions: readonly AbiFunction[],
  errnoNames: readonly string[],
  memory: GuestMemory,
  trace: (e: TraceEvent) => void,
): ImportFunctions {
  const out: ImportFunctions = { ...imports };
  for (const f of functions) {
    const fn = imports[f.name] as ((...a: unknown[]) => unknown) | undefined;
    if (!fn) continue;
    const names = f.core.params.map((p) => p.name);
    out[f.name] = (...args: unknown[]) => {
      const named: Record<string, number | bigint> = {};
      names.forEach((n, i) => (named[n] = args[i] as number | bigint));
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
          });
        }
      }
      return result;
    };
  }
  return out;
}
