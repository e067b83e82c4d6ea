/** A WITX source file and the positions inside it, so every error can say file:line:column. */
export interface SourceFile {
  /** Path as given to the reader; shown in errors. */
  readonly path: string;
  readonly text: string;
}

export interface Location {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
}

export function formatLocation(loc: Location): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** Any error about WITX input: bad syntax, unknown names, invalid types. */
export class WitxError extends Error {
  readonly code = 'ERR_WITX';
  constructor(
    readonly location: Location,
    readonly reason: string,
  ) {
    super(`${formatLocation(location)}: ${reason}`);
    this.name = 'WitxError';
  }
}

/** Maps string offsets to line/column with one binary search over line starts. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly source: SourceFile) {
    const { text } = source;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  locate(offset: number): Location {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.source.path, line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}
