import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { REPO_ROOT, programPath } from '../helpers/run-program.js';

describe('bin/wasi-kit.js', () => {
  // Built in a copy of the package, so that other tests reading dist/ never see it half-written. The
  // copy sits below node_modules/.cache so that it finds the dependencies by walking up, as tsc wants.
  it('runs hello from the built package', () => {
    const cache = join(REPO_ROOT, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const copy = mkdtempSync(join(cache, 'wasi-kit-bin-'));
    onTestFinished(() => rmSync(copy, { recursive: true, force: true }));
    for (const p of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src', 'generated', 'bin']) cpSync(join(REPO_ROOT, p), join(copy, p), { recursive: true });
    const build = spawnSync('npm', ['run', 'build'], { cwd: copy, encoding: 'utf8', timeout: 170_000 });
    expect(build.stderr + build.stdout).not.toMatch(/error TS/);
    expect(build.status).toBe(0);
    const r = spawnSync(process.execPath, [join(copy, 'bin/wasi-kit.js'), 'run', programPath('hello')], { env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 });
    expect(r.stdout.toString()).toBe('hello, world\n');
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
  }, 200_000);
});
