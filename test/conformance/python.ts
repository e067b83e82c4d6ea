/**
 * Finds a Python the official wasi-testsuite runner can use: >= 3.12 (it calls
 * `Path.relative_to(walk_up=...)`) with `colorama`. Debian bookworm's python3 is 3.11, so it also
 * looks for a newer one beside it (`python3.1x` on PATH, pyenv's versions), and takes Debian's
 * `python3-colorama` (pure Python) for one that lacks it, through a PYTHONPATH holding only that package.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunnerPython {
  python: string;
  /** Extra environment (PYTHONPATH) it needs for colorama, if any. */
  env: Record<string, string>;
}

const DEBIAN_COLORAMA = '/usr/lib/python3/dist-packages/colorama';

export const RUNNER_PYTHON_MISSING =
  'the official wasi-testsuite runner needs Python >= 3.12 with colorama: install a python3.12 or newer ' +
  '(on PATH, in pyenv, or named by WASI_TESTSUITE_PYTHON) and colorama (Debian: apt-get install python3-colorama)';

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.WASI_TESTSUITE_PYTHON) list.push(process.env.WASI_TESTSUITE_PYTHON);
  list.push('python3.14', 'python3.13', 'python3.12', 'python3');
  const pyenv = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const versions = join(pyenv, 'versions');
  if (existsSync(versions)) {
    const byVersion = readdirSync(versions)
      .filter((v) => /^3\.\d+(\.\d+)?$/.test(v))
      .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
    for (const v of byVersion) list.push(join(versions, v, 'bin', 'python3'));
  }
  return list;
}

function works(python: string, env: Record<string, string>): boolean {
  const r = spawnSync(python, ['-c', 'import sys, colorama; sys.exit(0 if sys.version_info >= (3, 12) else 1)'], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  return r.status === 0;
}

/** Where the PYTHONPATH folder lives: the project's npm cache folder, kept between runs (not a temp file a test leaves). */
const COLORAMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.cache', 'wasi-kit-colorama');

/** A PYTHONPATH with Debian's colorama and nothing else of dist-packages (built for another Python). */
function debianColorama(): Record<string, string> | undefined {
  if (!existsSync(DEBIAN_COLORAMA)) return undefined;
  const link = join(COLORAMA_PATH, 'colorama');
  if (!existsSync(link)) {
    mkdirSync(COLORAMA_PATH, { recursive: true });
    try {
      symlinkSync(DEBIAN_COLORAMA, link);
    } catch (e) {
      // Another test process made it first.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return { PYTHONPATH: COLORAMA_PATH };
}

/** The first Python that can run the official runner, or undefined. */
export function findRunnerPython(): RunnerPython | undefined {
  for (const python of candidates()) {
    if (works(python, {})) return { python, env: {} };
    const extra = debianColorama();
    if (extra !== undefined && works(python, extra)) return { python, env: extra };
  }
  return undefined;
}
