import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireCommand } from '../helpers/dependencies.js';
import { REPO_ROOT, programPath, tempDir } from '../helpers/run-program.js';

const ADAPTER = join(REPO_ROOT, 'test/conformance/wasi_kit.py');
// The runner is Python: without python3 these tests fail, naming the package (never skip).
const PYTHON = requireCommand('python3', 'python3');

/** Imports the adapter as wasi-testsuite's runner does, evaluates `expr` and returns it as JSON. */
function adapter(expr: string): unknown {
  const script = [
    'import importlib.util, json, sys',
    `spec = importlib.util.spec_from_file_location("wasi_kit.py", ${JSON.stringify(ADAPTER)})`,
    'a = importlib.util.module_from_spec(spec)',
    'spec.loader.exec_module(a)',
    `print(json.dumps(${expr}))`,
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** Runs a command line from the adapter the way the runner does: its own cwd, pipes. */
function runArgv(argv: string[]) {
  const [cmd, ...args] = argv;
  return spawnSync(cmd!, args, { encoding: 'utf8', input: '', env: { PATH: process.env.PATH ?? '' }, cwd: tmpdir(), timeout: 60_000 });
}

describe('wasi-testsuite adapter (test/conformance/wasi_kit.py)', () => {
  it('prints nothing when run as a script with --version, so the runner loads it as a module', () => {
    const r = spawnSync(PYTHON, [ADAPTER, '--version'], { encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
  });

  it('describes wasi-kit', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(adapter('[a.get_name(), a.get_version(), a.get_wasi_versions(), a.get_wasi_worlds(), a.get_timeout_seconds()]')).toEqual([
      'wasi-kit',
      pkg.version,
      ['wasm32-wasip1'],
      ['wasi:cli/command'],
      60,
    ]);
  });

  it('computes a command line that runs hello', () => {
    const argv = adapter(`a.compute_argv(${JSON.stringify(programPath('hello'))}, [], {}, [])`) as string[];
    const r = runArgv(argv);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'hello, world\n', '']);
  });

  // Seven runs of the CLI from source (node + tsx each): more than the default timeout on a loaded machine.
  it('passes arguments, environment and directories in every form the runner has called it', { timeout: 180_000 }, () => {
    const t = tempDir();
    mkdirSync(join(t.path, 'data'));
    const host = JSON.stringify(join(t.path, 'data'));
    const wasm = JSON.stringify(programPath('args-env'));
    const forms = [
      `a.compute_argv(${wasm}, ["--", "x y"], {"K": "V"}, [(${host}, "/sandbox")])`,
      `a.compute_argv(${wasm}, ["--", "x y"], {"K": "V"}, [(${host}, "/sandbox")], "wasm32-wasip1")`,
      `a.compute_argv(${wasm}, (["--", "x y"], {"K": "V"}, [(${host}, "/sandbox")]), [], "wasm32-wasip1")`,
      `a.compute_argv(${wasm}, (["--", "x y"], {"K": "V"}, [(${host}, "/sandbox")]), [], "wasi:cli/command", "wasm32-wasip1")`,
      // The runner at ../shared/wasi-testsuite's revision passes a list.
      `a.compute_argv(${wasm}, [["--", "x y"], {"K": "V"}, [(${host}, "/sandbox")]], [], "wasi:cli/command", "wasm32-wasip1")`,
    ];
    for (const form of forms) {
      const argv = adapter(form) as string[];
      expect(argv.slice(argv.indexOf('run'))).toEqual(['run', '--env', 'K=V', '--dir', `${join(t.path, 'data')}::/sandbox`, programPath('args-env'), '--', '--', 'x y']);
      const r = runArgv(argv);
      expect(r.stdout).toBe(`argc=3\nargv[0]=${programPath('args-env')}\nargv[1]=--\nargv[2]=x y\nenv: K=V\n`);
      expect(r.status).toBe(0);
    }
    // A root directory (the newest runner's form for some adapters) is mapped to `/`.
    const root = adapter(`a.compute_argv(${JSON.stringify(programPath('fd-stat'))}, ([], {}, ${host}), [], "wasi:cli/command", "wasm32-wasip1")`) as string[];
    expect(runArgv(root).stdout).toContain('preopen 3: /\n');
    const pathRoot = adapter(`a.compute_argv(${JSON.stringify(programPath('fd-stat'))}, [[], {}, __import__("pathlib").Path(${host})], [], "wasi:cli/command", "wasm32-wasip1")`) as string[];
    expect(runArgv(pathRoot).stdout).toContain('preopen 3: /\n');
    t.cleanup();
  });

  it('gives the exit code of proc_exit', () => {
    const argv = adapter(`a.compute_argv(${JSON.stringify(programPath('exit-code'))}, ["13"], {}, [])`) as string[];
    expect(runArgv(argv).status).toBe(13);
  });
});
