import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// generated/ must be exactly what codegen makes from the pinned WITX, and codegen must refuse
// altered or missing inputs with a message that says which file and why.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SPEC = process.env.WITX_DIR ? resolve(process.env.WITX_DIR) : resolve(REPO, '..', 'shared', 'witx');
const TIMEOUT = 120_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function codegen(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      'npx',
      ['tsx', 'codegen/main.ts', ...args],
      { cwd: REPO, env: { ...process.env, ...env }, timeout: TIMEOUT - 5_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

const temps: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('codegen --check', () => {
  it(
    'generated/ is up to date with the WITX spec',
    async () => {
      const run = await codegen(['--check']);
      expect(run.stderr).not.toMatch(/stale/);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/up to date/);
    },
    TIMEOUT,
  );

  it(
    'fails, naming the file, when a generated file differs',
    async () => {
      const out = tempDir('wasi-kit-generated-');
      cpSync(join(REPO, 'generated'), out, { recursive: true });
      const types = join(out, 'preview1', 'types.ts');
      writeFileSync(types, `${readFileSync(types, 'utf8')}\n// edited by hand\n`);
      const run = await codegen(['--check', '--out', out]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/changed: preview1[/\\]types\.ts/);
    },
    TIMEOUT,
  );
});

describe('codegen refuses bad WITX inputs', () => {
  it(
    'one byte changed in preview1/typenames.witx: names the file and its sha256',
    async () => {
      const root = tempDir('wasi-kit-witx-');
      cpSync(SPEC, root, { recursive: true });
      const file = join(root, 'preview1', 'typenames.witx');
      const bytes = readFileSync(file);
      const at = bytes.indexOf('$errno');
      expect(at).toBeGreaterThan(0);
      bytes[at + 1] = 'E'.charCodeAt(0); // $errno -> $Errno
      writeFileSync(file, bytes);
      const run = await codegen(['--check'], { WITX_DIR: root });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(file);
      expect(run.stderr).toMatch(/sha256/);
    },
    TIMEOUT,
  );

  it(
    'a missing input file is named',
    async () => {
      const root = tempDir('wasi-kit-witx-');
      cpSync(SPEC, root, { recursive: true });
      const file = join(root, 'preview1', 'wasi_snapshot_preview1.witx');
      rmSync(file);
      const run = await codegen(['--check'], { WITX_DIR: root });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(file);
      expect(run.stderr).toMatch(/missing/);
    },
    TIMEOUT,
  );

  it(
    'a WITX_DIR that does not exist gives a clear message',
    async () => {
      const missing = join(tempDir('wasi-kit-witx-'), 'no-such-dir');
      const run = await codegen(['--check'], { WITX_DIR: missing });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(missing);
      expect(run.stderr).toMatch(/does not exist/);
      expect(run.stderr).toMatch(/WITX_DIR/);
      // A message, not a stack trace.
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
    TIMEOUT,
  );
});
