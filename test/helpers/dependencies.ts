/**
 * What the tests need from the machine, each found or failed with the Debian package that provides
 * it, never skipped: a test that cannot run must not pass. `.ci/run` and the README's test command
 * install exactly these packages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** A dependency the machine lacks, naming what to install. */
export class MissingDependencyError extends Error {
  constructor(what: string, pkg: string) {
    super(`${what} is missing: install the Debian package ${pkg} (apt-get install ${pkg}); see the README's test command`);
    this.name = 'MissingDependencyError';
  }
}

/** `path`, or a MissingDependencyError naming `pkg`. */
export function requireFile(path: string, pkg: string): string {
  if (!existsSync(path)) throw new MissingDependencyError(path, pkg);
  return path;
}

/** `command`, after checking that `command ...versionArgs` runs; else a MissingDependencyError naming `pkg`. */
export function requireCommand(command: string, pkg: string, versionArgs = ['--version']): string {
  const r = spawnSync(command, versionArgs, { stdio: 'ignore' });
  if (r.error || r.status !== 0) throw new MissingDependencyError(`the command ${command}`, pkg);
  return command;
}

/** wasi-libc's `<wasi/api.h>` (or `$WASI_API_H`): the ABI oracle independent of our generated code. */
export const WASI_API_H = process.env.WASI_API_H ?? '/usr/include/wasm32-wasi/wasi/api.h';

/** The text of {@link WASI_API_H}. */
export const wasiApiHeader = (): string => readFileSync(requireFile(WASI_API_H, 'wasi-libc'), 'utf8');

/** Debian's chromium, which the browser tests drive. */
export const CHROMIUM = '/usr/bin/chromium';
