import { ABI as PREVIEW1_ABI } from '../generated/preview1/metadata.js';
import { ErrnoNames } from '../generated/preview1/types.js';
import type { TraceEvent } from './options.js';

export type ImportFunctions = Record<string, (...args: never[]) => unknown>;

/** Wraps every import to report each call, decoded by the ABI metadata; untraced imports stay bare. */
export function traced(imports: ImportFunctions, module: string, trace: (e: TraceEvent) => void): ImportFunctions {
  const out: ImportFunctions = {};
  for (const f of PREVIEW1_ABI.functions) {
    const fn = imports[f.name] as (...a: unknown[]) => unknown;
    const names = f.core.params.map((p) => p.name);
    out[f.name] = (...args: unknown[]) => {
      const named: Record<string, number | bigint> = {};
      names.forEach((n, i) => (named[n] = args[i] as number | bigint));
      let result: unknown;
      try {
        result = fn(...args);
      } finally {
        trace({ module, name: f.name, args: named, errno: typeof result === 'number' ? ErrnoNames[result] : undefined });
      }
      return result;
    };
  }
  return out;
}
