/** Runs `wasi-kit` from source in a child process with real pipes, and builds small WAT modules. */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/run-program.js';

// By URL, so that the child finds tsx from any working directory.
const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface CliResult {
  status: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** `node --import tsx src/cli.ts ...args`; the host environment holds only PATH and `HOST_SECRET`. */
export function cli(args: readonly string[], opts: { stdin?: string | Uint8Array; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, ['--no-warnings', '--import', TSX, join(REPO_ROOT, 'src/cli.ts'), ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    input: opts.stdin ?? '',
    env: { PATH: process.env.PATH ?? '', HOST_SECRET: 'must not reach the guest' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Wabt = Awaited<ReturnType<typeof import('wabt')>>;
let wabt: Wabt | undefined;

/** Compiles WAT text and writes the module to `path`. */
export async function writeWat(path: string, text: string): Promise<string> {
  wabt ??= await (await import('wabt')).default();
  const parsed = wabt.parseWat('test.wat', text);
  try {
    writeFileSync(path, parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
  return path;
}

/**
 * A command that truncates-or-creates `keep.txt` and `new.txt` in the preopen (fd 3) and writes
 * `changed\n` into each: exit 1 when an open fails, 2 when a write fails.
 */
export const WRITE_FILES_WAT = `(module
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "keep.txt")
  (data (i32.const 32) "new.txt")
  (data (i32.const 48) "changed\\n")
  (data (i32.const 64) "\\30\\00\\00\\00\\08\\00\\00\\00")
  (func $write (param $path i32) (param $len i32)
    ;; oflags creat|trunc, every right, the new fd at 80
    (if (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len) (i32.const 9) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 80))
      (then (call $proc_exit (i32.const 1))))
    (if (call $fd_write (i32.load (i32.const 80)) (i32.const 64) (i32.const 1) (i32.const 84))
      (then (call $proc_exit (i32.const 2)))))
  (func (export "_start")
    (call $write (i32.const 16) (i32.const 8))
    (call $write (i32.const 32) (i32.const 7))))
`;

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/** A fresh host directory, removed after the test. */
export function scratch(): string {
  const t = tempDir('wasi-kit-cli-');
  cleanups.push(t.cleanup);
  return t.path;
}

/** A directory's files and their contents, recursively, by path below it. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[`${e.parentPath}/${e.name}`.slice(dir.length)] = readFileSync(`${e.parentPath}/${e.name}`, 'utf8');
  }
  return out;
}
