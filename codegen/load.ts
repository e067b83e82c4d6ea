import { dirname, resolve } from 'node:path';
import { readSExprs, type SExpr } from './sexpr.js';
import { WitxError, type Location, type SourceFile } from './source.js';

export interface LoadedForm {
  readonly form: SExpr;
  readonly file: string;
}

export type ReadText = (path: string) => string;

/**
 * Reads the root files and every file they `(use ...)`, paths relative to the including file,
 * each file once, returning top-level forms in reading order (a used file's forms come first).
 */
export function loadWitx(roots: readonly string[], readText: ReadText): LoadedForm[] {
  const seen = new Set<string>();
  const out: LoadedForm[] = [];
  const visit = (path: string, from: Location | undefined) => {
    const abs = resolve(path);
    if (seen.has(abs)) return;
    seen.add(abs);
    let text: string;
    try {
      text = readText(abs);
    } catch (err) {
      const reason = `cannot read ${abs}: ${(err as Error).message}`;
      if (from) throw new WitxError(from, reason);
      throw new WitxError({ file: abs, line: 1, column: 1 }, reason);
    }
    const source: SourceFile = { path: abs, text };
    for (const form of readSExprs(source)) {
      const use = useTarget(form);
      if (use !== undefined) visit(resolve(dirname(abs), use), form.loc);
      else out.push({ form, file: abs });
    }
  };
  for (const root of roots) visit(root, undefined);
  return out;
}

function useTarget(form: SExpr): string | undefined {
  if (form.kind !== 'list') return undefined;
  const [head, target, ...rest] = form.items;
  if (head?.kind !== 'atom' || head.value !== 'use') return undefined;
  if (target?.kind !== 'string' || rest.length > 0) {
    throw new WitxError(form.loc, 'expected (use "file.witx")');
  }
  return target.value;
}
