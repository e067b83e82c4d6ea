/**
 * The checks both backends make on a resolved path before touching anything, so that the
 * memory and host backends answer with the same errno (Linux's choice where POSIX allows two)
 * whatever platform the host runs on.
 */

import { WasiError } from '../abi/wasi-error.js';
import type { ResolvedPath } from './path-resolver.js';
import type { OpenFlags } from './types.js';

export function opensForWriting(flags: OpenFlags): boolean {
  return Boolean(flags.write || flags.append || flags.truncate || flags.create);
}

export function checkOpenFlags(flags: OpenFlags, readOnly: boolean): void {
  // wasmtime refuses the pair too; Linux's answer has changed between kernel versions.
  if (flags.create && flags.directory) throw new WasiError('inval', 'create with directory');
  if (readOnly && opensForWriting(flags)) throw new WasiError('rofs');
}

/** O_EXCL never follows a final symlink; otherwise `nofollow` decides. */
export function followFinalForOpen(flags: OpenFlags): boolean {
  return !flags.nofollow && !(flags.create && flags.exclusive);
}

/** What an open of `resolved` will do: make a new file, open a directory, or open what exists. */
export function planOpen(flags: OpenFlags, resolved: ResolvedPath): 'create' | 'directory' | 'existing' {
  const { type } = resolved;
  if (type === undefined) {
    if (!flags.create) throw new WasiError('noent');
    if (resolved.mustBeDir) throw new WasiError('isdir', 'cannot create a file with a trailing slash');
    return 'create';
  }
  if (flags.create && flags.exclusive) throw new WasiError('exist');
  if (type === 'symbolic_link') throw new WasiError('loop', 'last component is a symlink and nofollow was asked');
  if (type === 'directory') {
    if (flags.write || flags.append || flags.truncate) throw new WasiError('isdir');
    return 'directory';
  }
  if (flags.directory) throw new WasiError('notdir');
  return 'existing';
}

export function requireExisting(resolved: ResolvedPath): void {
  if (resolved.type === undefined) throw new WasiError('noent');
}

export function checkCreate(resolved: ResolvedPath): void {
  if (resolved.endsInDot || resolved.type !== undefined) throw new WasiError('exist');
}

/** For `link` and `symlink` targets, where Linux treats a trailing slash on a new name as absent. */
export function checkCreateNonDir(resolved: ResolvedPath): void {
  checkCreate(resolved);
  if (resolved.mustBeDir) throw new WasiError('noent', 'trailing slash on a non-directory name');
}

export function checkRmdir(resolved: ResolvedPath): void {
  if (resolved.endsInDot) throw new WasiError('inval', 'cannot remove . or ..');
  requireExisting(resolved);
  if (resolved.type !== 'directory') throw new WasiError('notdir');
}

export function checkUnlink(resolved: ResolvedPath): void {
  if (resolved.endsInDot) throw new WasiError('isdir');
  requireExisting(resolved);
  if (resolved.type === 'directory') throw new WasiError('isdir');
}

/** The type-only rename checks; emptiness, sameness and "into itself" are the backend's. */
export function checkRename(from: ResolvedPath, to: ResolvedPath): void {
  if (from.endsInDot || to.endsInDot) throw new WasiError('busy', 'cannot rename . or ..');
  requireExisting(from);
  if (from.type === 'directory') {
    if (to.type !== undefined && to.type !== 'directory') throw new WasiError('notdir');
  } else {
    if (to.mustBeDir) throw new WasiError('notdir');
    if (to.type === 'directory') throw new WasiError('isdir');
  }
}

export function checkLink(from: ResolvedPath, to: ResolvedPath): void {
  if (from.endsInDot) throw new WasiError('perm', 'cannot link a directory');
  requireExisting(from);
  if (from.type === 'directory') throw new WasiError('perm', 'cannot link a directory');
  checkCreateNonDir(to);
}

export function checkSymlinkTarget(target: string): void {
  if (target === '') throw new WasiError('noent', 'empty symlink target');
  if (target.includes('\0')) throw new WasiError('inval', 'NUL byte in symlink target');
}

export function checkReadlink(resolved: ResolvedPath): void {
  requireExisting(resolved);
  if (resolved.type !== 'symbolic_link') throw new WasiError('inval', 'not a symlink');
}
