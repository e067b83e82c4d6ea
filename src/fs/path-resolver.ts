/**
 * The sandbox: resolves a guest path inside a base directory, one component at a time, over an
 * abstract lookup so every backend shares it and it can be fuzzed without a filesystem.
 *
 * Reference behaviour is wasmtime's (cap-std underneath, and the wasi-filesystem rule that
 * preview2 inherits): a path that is absolute, or whose `..` or symlink steps would at any
 * point leave the base, fails with `perm`, even when a later step would come back in
 * (`a/../../base/x`). uvwasi answers `notcapable` instead; we follow wasmtime because it is the
 * reference runtime and because `notcapable` in preview1 is meant for missing rights.
 * A NUL byte gives `inval` (wasmtime hands paths to the OS as C strings, which reject it);
 * an empty path gives `noent`, as `openat(2)` does.
 */

import { WasiError } from '../abi/wasi-error.js';
import type { FileType } from './types.js';

/** Linux and cap-std both stop after 40 expansions. */
export const MAX_SYMLINK_EXPANSIONS = 40;
/** NAME_MAX on the platforms we target, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 255;

/** What the resolver needs to know about the tree; `parts` are relative to the base directory. */
export interface PathLookup {
  /** Type of the entry at `parts` without following it, or undefined if there is none. */
  lstatType(parts: readonly string[]): FileType | undefined;
  /** Target of the symlink at `parts`. */
  readlink(parts: readonly string[]): string;
}

export interface ResolveOptions {
  /** Follow a symlink in the last component (a trailing slash forces following). */
  followFinal: boolean;
  /**
   * An absolute symlink target restarts at the base instead of failing with `perm`: for a base that is
   * the guest's whole root (`/`), where `/x` means what POSIX says (mount-fs.ts).
   */
  absoluteSymlinksFromBase?: boolean;
}

export interface ResolvedPath {
  /**
   * Components from the base. Every prefix but the last names a real directory (not a symlink);
   * empty means the base itself.
   */
  parts: string[];
  /** Type of the last component as seen by lstat, undefined when it does not exist. */
  type: FileType | undefined;
  /** The path ended in a slash, so the caller may only create or accept a directory. */
  mustBeDir: boolean;
  /** The path ended in `.` or `..`: there is no name to create, remove or rename. */
  endsInDot: boolean;
}

const encoder = new TextEncoder();

export function resolvePath(lookup: PathLookup, path: string, options: ResolveOptions): ResolvedPath {
  if (path === '') throw new WasiError('noent', 'empty path');
  if (path.includes('\0')) throw new WasiError('inval', 'NUL byte in path');
  if (path.startsWith('/')) throw new WasiError('perm', `absolute path ${JSON.stringify(path)}`);

  const parts: string[] = [];
  // Remaining components, first one at the end so expansion is a cheap push.
  const pending = path.split('/').reverse();
  let expansions = 0;

  for (;;) {
    const component = pending.pop();
    if (component === undefined) {
      // Ran out after `.`/`..`/empty components: the result is the directory reached so far.
      return { parts, type: 'directory', mustBeDir: true, endsInDot: true };
    }
    if (component === '') continue;
    const isLast = pending.every((c) => c === '');
    // A slash after the last component means it must be a directory, so a symlink there is followed.
    const trailingSlash = isLast && pending.length > 0;

    if (component === '.') {
      if (isLast) return { parts, type: 'directory', mustBeDir: true, endsInDot: true };
      continue;
    }
    if (component === '..') {
      if (parts.length === 0) throw new WasiError('perm', `${JSON.stringify(path)} leaves its directory`);
      parts.pop();
      if (isLast) return { parts, type: 'directory', mustBeDir: true, endsInDot: true };
      continue;
    }
    // A UTF-16 unit is at most 3 UTF-8 bytes, so only long names need encoding to be measured.
    if (component.length * 3 > MAX_NAME_BYTES && encoder.encode(component).length > MAX_NAME_BYTES) {
      throw new WasiError('nametoolong', `component of ${JSON.stringify(path)}`);
    }

    const candidate = [...parts, component];
    const type = lookup.lstatType(candidate);
    if (type === undefined) {
      if (isLast) return { parts: candidate, type, mustBeDir: trailingSlash, endsInDot: false };
      throw new WasiError('noent', `${JSON.stringify(component)} in ${JSON.stringify(path)}`);
    }
    if (type === 'symbolic_link' && (!isLast || options.followFinal || trailingSlash)) {
      expansions += 1;
      if (expansions > MAX_SYMLINK_EXPANSIONS) throw new WasiError('loop', JSON.stringify(path));
      const target = lookup.readlink(candidate);
      if (target === '') throw new WasiError('noent', `empty symlink target in ${JSON.stringify(path)}`);
      if (target.includes('\0')) throw new WasiError('inval', 'NUL byte in symlink target');
      if (target.startsWith('/')) {
        if (options.absoluteSymlinksFromBase) {
          parts.length = 0;
          pending.push(...target.split('/').reverse());
          continue;
        }
        throw new WasiError('perm', `symlink to absolute path ${JSON.stringify(target)}`);
      }
      pending.push(...target.split('/').reverse());
      continue;
    }
    if (isLast) {
      if (trailingSlash && type !== 'directory') throw new WasiError('notdir', JSON.stringify(path));
      return { parts: candidate, type, mustBeDir: trailingSlash, endsInDot: false };
    }
    if (type !== 'directory') throw new WasiError('notdir', `${JSON.stringify(component)} in ${JSON.stringify(path)}`);
    parts.push(component);
  }
}
