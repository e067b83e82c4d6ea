import { expect } from 'vitest';
import type { Document } from '../../codegen/ir.js';
import { loadWitx, type LoadedForm } from '../../codegen/load.js';
import { WitxError } from '../../codegen/source.js';
import { validate } from '../../codegen/validate.js';

// Helpers for tests that feed codegen small WITX texts from memory.

export const MAIN = '/fixture/main.witx';

/** Loads in-memory files (absolute path -> text); a path not in the map cannot be read. */
export function loadFiles(files: Record<string, string>, roots: readonly string[] = [MAIN]): LoadedForm[] {
  return loadWitx(roots, (p) => {
    const text = files[p];
    if (text === undefined) throw new Error(`ENOENT: no such file ${p}`);
    return text;
  });
}

export function docOf(text: string): Document {
  return validate(loadFiles({ [MAIN]: text }));
}

/**
 * `line:column` (1-based) of the `nth` occurrence of `needle` in `text`, counted by hand here so
 * expected positions never come from the code under test.
 */
export function posOf(text: string, needle: string, nth = 0): string {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`fixture has no occurrence ${nth} of ${JSON.stringify(needle)}`);
  }
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

/** Runs `fn`, expects a WitxError, and returns it. */
export function witxErrorOf(fn: () => unknown): WitxError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WitxError);
    return err as WitxError;
  }
  throw new Error('expected a WitxError, but nothing was thrown');
}

/** Expects `fn` to fail with a WitxError at `file:pos` whose reason matches `reason`. */
export function expectWitxError(fn: () => unknown, file: string, pos: string, reason: RegExp): WitxError {
  const err = witxErrorOf(fn);
  expect(err.message.startsWith(`${file}:${pos}: `), `${err.message} should start with ${file}:${pos}`).toBe(true);
  expect(err.message).toMatch(reason);
  const [line, column] = pos.split(':').map(Number);
  expect(err.location).toEqual({ file, line, column });
  return err;
}
