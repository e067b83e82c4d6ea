// The root filesystem from a real wasi-libc program (test/programs/rootfs.c): `/` given by the `root`
// option with a host directory mounted at /work and a MemoryFileSystem at /data. The program's view
// (cd /, ls /, pwd, absolute paths across mounts, `..` at a mount point, escaping symlinks, EXDEV) and
// the host tree beside /work, hashed before and after, unchanged.
import '../helpers/memfs.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI } from '../../src/index.js';
import { hashTree, makeTempDir } from './helpers.js';

const program = fs.readFileSync(new URL('../programs/rootfs.wasm', import.meta.url));

async function run(options: ConstructorParameters<typeof WASI>[0]): Promise<{ code: number; out: string }> {
  let out = '';
  const wasi = new WASI({ ...options, args: ['rootfs'], stdout: (b) => void (out += Buffer.from(b).toString()), stderr: (b) => void (out += Buffer.from(b).toString()) });
  const code = await wasi.run(program);
  return { code, out };
}

describe('the root filesystem, from a wasi-libc program', () => {
  const tmp = makeTempDir('wasi-kit-rootfs-');
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('shows one tree at /, with the preopens mounted in it, and never reaches a mount\'s host parent', async () => {
    const work = path.join(tmp, 'work');
    fs.mkdirSync(work);
    fs.writeFileSync(path.join(work, 'hello.txt'), 'hello from the host');
    fs.writeFileSync(path.join(tmp, 'secret.txt'), 'HOST SECRET');
    fs.mkdirSync(path.join(tmp, 'etc'));
    fs.writeFileSync(path.join(tmp, 'etc', 'motd'), 'HOST MOTD');
    fs.symlinkSync('..', path.join(work, 'up'));
    fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(work, 'abs'));
    const before = hashTree(tmp, 'work');

    const root = new MemoryFileSystem({ '/etc/motd': 'guest motd', '/secret.txt': 'guest secret', '/tmp/.keep': '' });
    const data = new MemoryFileSystem({ '/d.txt': 'data file' });
    const r = await run({ root, preopens: { '/work': work, '/data': data } });
    expect(r.out.split('\n')).toEqual([
      'pwd: /',
      'ls /: . .. data etc secret.txt tmp work',
      'ls .: . .. data etc secret.txt tmp work',
      '/work/hello.txt: hello from the host',
      '/data/d.txt: data file',
      '/tmp/made.txt: made in /tmp',
      'work/../etc/motd: guest motd',
      'work/up/secret.txt (up -> ..): guest secret',
      // The host's absolute path means nothing in the guest's tree.
      'work/abs (-> host path): No such file or directory',
      '..: Operation not permitted',
      'work/../../etc/motd: Operation not permitted',
      'rename /work/hello.txt /tmp/hello.txt: Cross-device link',
      'link /data/d.txt /work/d.txt: Cross-device link',
      'pwd: /work',
      'hello.txt: hello from the host',
      '',
    ]);
    expect(r.code).toBe(0);
    expect(Buffer.from(root.toFiles()['/tmp/made.txt'] as Uint8Array).toString()).toBe('made in /tmp');
    expect(hashTree(tmp, 'work')).toBe(before);
    expect(fs.readdirSync(work).sort()).toEqual(['abs', 'hello.txt', 'up']);
  });

  it('a preview1 program without the root option keeps exactly its preopens: / is not one', async () => {
    const r = await run({ preopens: { '/data': new MemoryFileSystem({ '/d.txt': 'data file' }) } });
    expect(r.out).toContain('/data/d.txt: data file\n');
    expect(r.out).toMatch(/^cd \/: /);
    expect(r.out).toContain('ls /: ');
    expect(r.out).not.toContain('ls /: . ..');
  });
});
