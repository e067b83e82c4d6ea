import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { programPath, tempDir } from '../helpers/run-program.js';
import { cli, scratch, snapshot, writeWat, WRITE_FILES_WAT } from './cli-helpers.js';

let writeFiles: string;
beforeAll(async () => {
  const t = tempDir('wasi-kit-cli-wat-');
  writeFiles = await writeWat(join(t.path, 'write-files.wasm'), WRITE_FILES_WAT);
  return t.cleanup;
});

describe('wasi-kit run: directories', () => {
  it('maps --dir HOST::GUEST and --mapdir GUEST::HOST', () => {
    for (const flag of ['--dir', '--mapdir']) {
      const dir = scratch();
      const r = cli(['run', flag, flag === '--dir' ? `${dir}::/sandbox` : `/sandbox::${dir}`, programPath('files'), '/sandbox']);
      expect(r.stderr.toString()).toBe('');
      expect(r.stdout.toString()).toMatch(/files ok\n$/);
      expect(r.status).toBe(0);
    }
  });

  it('--root DIR is the guest\'s /, each --dir mounted in it; --cwd sets the working directory', () => {
    const root = scratch();
    const work = scratch();
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'tmp'));
    writeFileSync(join(root, 'etc', 'motd'), 'root motd');
    writeFileSync(join(root, 'secret.txt'), 'root secret');
    writeFileSync(join(work, 'hello.txt'), 'hi');
    const data = scratch();
    writeFileSync(join(data, 'd.txt'), 'dd');
    const r = cli(['run', '--root', root, '--dir', `${work}::/work`, '--dir', `${data}::/data`, '--cwd', '/etc', programPath('rootfs')]);
    const out = r.stdout.toString();
    expect(r.stderr.toString()).toBe('');
    expect(out).toContain('ls /: . .. data etc secret.txt tmp work\n');
    expect(out).toContain('work/../etc/motd: root motd\n');
    expect(out).toContain('/work/hello.txt: hi\n');
    expect(r.status).toBe(0);
    // The mount points were made in the root directory, and /tmp/made.txt written there.
    expect(readdirSync(root).sort()).toEqual(['data', 'etc', 'secret.txt', 'tmp', 'work']);
    expect(snapshot(join(root, 'tmp'))).toEqual({ '/made.txt': 'made in /tmp' });
    expect(cli(['run', '--root', join(root, 'nope'), programPath('rootfs')]).stderr.toString()).toContain('--root');
    expect(cli(['run', '--cwd', 'rel', programPath('rootfs')]).status).toBe(2);
  });

  it('preopens --dir HOST under its own name', () => {
    const root = scratch();
    mkdirSync(join(root, 'work'));
    const r = cli(['run', '--dir', 'work', programPath('fd-stat'), 'work'], { cwd: root });
    expect(r.stdout.toString()).toContain('preopen 3: work\n');
    expect(r.status).toBe(0);
  });

  it('changes the host directory with --fs host', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'keep.txt'), 'old\n');
    const r = cli(['run', '--dir', `${dir}::/d`, writeFiles]);
    expect(r.status).toBe(0);
    expect(snapshot(dir)).toEqual({ '/keep.txt': 'changed\n', '/new.txt': 'changed\n' });
  });

  it('leaves the host directory unchanged with --fs memory', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'keep.txt'), 'old\n');
    writeFileSync(join(dir, 'sub/deep.txt'), 'deep\n');
    const before = snapshot(dir);
    const r = cli(['run', '--fs', 'memory', '--dir', `${dir}::/d`, writeFiles]);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, 'new.txt'))).toBe(false);
  });

  it('runs the files program over a memory copy', () => {
    const dir = scratch();
    const r = cli(['run', '--fs=memory', '--dir', `${dir}::/sandbox`, programPath('files'), '/sandbox']);
    expect(r.stdout.toString()).toMatch(/files ok\n$/);
    expect(r.status).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });
});
