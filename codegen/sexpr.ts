import { LineIndex, WitxError, type Location, type SourceFile } from './source.js';

// WITX is read by hand: @webassemblyjs/wast-parser's tokenizer rejects the `@` of `(@witx ...)` and
// `(@interface ...)` annotations and drops `;;;` doc comments, both of which WITX depends on.

export type SExpr = SList | SAtom | SId | SString;

interface Node {
  readonly loc: Location;
}
/** `( ... )`, with the `;;;` doc comment lines that stood right before it. */
export interface SList extends Node {
  readonly kind: 'list';
  readonly items: readonly SExpr[];
  readonly docs: string;
}
/** A bare word: a keyword, a builtin type, an annotation name such as `@witx`, or a number. */
export interface SAtom extends Node {
  readonly kind: 'atom';
  readonly value: string;
  readonly docs: string;
}
/** `$name`; `name` excludes the `$`. */
export interface SId extends Node {
  readonly kind: 'id';
  readonly name: string;
  readonly docs: string;
}
export interface SString extends Node {
  readonly kind: 'string';
  readonly value: string;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const isDelimiter = (c: number) => isSpace(c) || c === 40 || c === 41 || c === 34 || c === 59;

/** Reads every top-level form of a WITX file. */
export function readSExprs(source: SourceFile): SExpr[] {
  const { text } = source;
  const lines = new LineIndex(source);
  const fail = (offset: number, reason: string): never => {
    throw new WitxError(lines.locate(offset), reason);
  };
  let pos = 0;
  let docs: string[] = [];
  const stack: { items: SExpr[]; start: number; docs: string }[] = [];
  const top: SExpr[] = [];
  const push = (e: SExpr) => (stack.length ? stack[stack.length - 1]!.items : top).push(e);
  const takeDocs = () => {
    const d = docs.join('\n');
    docs = [];
    return d;
  };

  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (isSpace(c)) {
      pos++;
    } else if (c === 59 /* ; */) {
      if (text.charCodeAt(pos + 1) !== 59) fail(pos, 'unexpected ";" (comments start with ";;")');
      let end = text.indexOf('\n', pos);
      if (end < 0) end = text.length;
      if (text.startsWith(';;;', pos)) docs.push(text.slice(pos + 3, end).replace(/^ /, '').trimEnd());
      pos = end;
    } else if (c === 40 /* ( */) {
      if (text.charCodeAt(pos + 1) === 59 /* ; */) {
        // Block comments nest, as in the WebAssembly text format.
        const start = pos;
        let depth = 0;
        do {
          if (pos >= text.length) fail(start, 'unterminated block comment');
          if (text.startsWith('(;', pos)) {
            depth++;
            pos += 2;
          } else if (text.startsWith(';)', pos)) {
            depth--;
            pos += 2;
          } else {
            pos++;
          }
        } while (depth > 0);
        continue;
      }
      stack.push({ items: [], start: pos, docs: takeDocs() });
      pos++;
    } else if (c === 41 /* ) */) {
      const open = stack.pop();
      if (!open) fail(pos, 'unexpected ")"');
      docs = [];
      push({ kind: 'list', items: open!.items, docs: open!.docs, loc: lines.locate(open!.start) });
      pos++;
    } else if (c === 34 /* " */) {
      const start = pos++;
      let value = '';
      for (;;) {
        if (pos >= text.length) fail(start, 'unterminated string');
        const ch = text[pos]!;
        if (ch === '"') break;
        if (ch === '\n') fail(start, 'unterminated string (newline inside)');
        if (ch === '\\') {
          const esc = text[pos + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" };
          if (esc !== undefined && esc in simple) {
            value += simple[esc];
            pos += 2;
            continue;
          }
          fail(pos, `unsupported escape "\\${esc ?? ''}" in string`);
        }
        value += ch;
        pos++;
      }
      pos++;
      push({ kind: 'string', value, loc: lines.locate(start) });
    } else {
      const start = pos;
      while (pos < text.length && !isDelimiter(text.charCodeAt(pos))) pos++;
      const word = text.slice(start, pos);
      const loc = lines.locate(start);
      if (word.startsWith('$')) {
        if (word.length === 1 || !/^[A-Za-z0-9_]+$/.test(word.slice(1))) fail(start, `invalid identifier "${word}"`);
        push({ kind: 'id', name: word.slice(1), loc, docs: takeDocs() });
      } else {
        if (!/^@?[A-Za-z0-9_.+-]+$/.test(word)) fail(start, `unexpected characters "${word}"`);
        push({ kind: 'atom', value: word, loc, docs: takeDocs() });
      }
    }
  }
  if (stack.length) fail(stack[stack.length - 1]!.start, 'unclosed "(": missing ")"');
  return top;
}

export function describe(e: SExpr): string {
  switch (e.kind) {
    case 'list':
      return e.items[0]?.kind === 'atom' ? `(${e.items[0].value} ...)` : 'a list';
    case 'atom':
      return `"${e.value}"`;
    case 'id':
      return `$${e.name}`;
    case 'string':
      return `string "${e.value}"`;
  }
}
