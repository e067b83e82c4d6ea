import type { Document } from '../ir.js';
import type { Layout } from '../layout.js';

/** What every emitter of one version needs. */
export interface EmitContext {
  readonly version: string;
  readonly doc: Document;
  readonly layout: Layout;
  /** WITX module name -> import module name. */
  readonly modules: Readonly<Record<string, string>>;
  /** Input files relative to the WITX root, for headers and comments. */
  readonly files: readonly string[];
  /** Absolute path -> path relative to the WITX root. */
  readonly rel: (absPath: string) => string;
}
