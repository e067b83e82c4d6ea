// HostFileSystem answers the fstat that follows an open from the stat the open took, only when no
// host call came between: anything that could change the file makes fstat ask the host again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostFileSystem } from '../../src/fs/host-fs.js';
import { makeTempDir, text } from './helpers.js';

let dir = '';
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function setup() {
  dir = makeTempDir();
  fs.writeFileSync(path.join(dir, 'f'), 'abc');
  const host = new HostFileSystem(dir);
  return { host, root: host.openRoot() };
}

describe('HostFileSystem: fstat right after open', () => {
  it('gives the file as the host stats it', () => {
    const { host, root } = setup();
    const h = host.open(root, 'f', { read: true });
    const st = host.fstat(h);
    const real = fs.statSync(path.join(dir, 'f'), { bigint: true });
    expect({ size: st.size, ino: st.ino, dev: st.dev, mtim: st.mtim, nlink: st.nlink, filetype: st.filetype }).toEqual({
      size: 3n, ino: real.ino, dev: real.dev, mtim: real.mtimeNs, nlink: real.nlink, filetype: 'regular_file',
    });
  });

  it('sees a write through another handle made between the open and the fstat', () => {
    const { host, root } = setup();
    const a = host.open(root, 'f', { read: true });
    const b = host.open(root, 'f', { write: true, append: true });
    host.write(b, text('defgh'));
    expect(host.fstat(a).size).toBe(8n);
  });

  it('sees a truncate or a link made between them, and a second fstat asks the host again', () => {
    const { host, root } = setup();
    const a = host.open(root, 'f', { read: true, write: true });
    host.link(root, 'f', root, 'g');
    expect(host.fstat(a).nlink).toBe(2n);
    const b = host.open(root, 'f', { read: true, write: true });
    host.ftruncate(a, 10n);
    expect(host.fstat(b).size).toBe(10n);
    // The open's stat answers once: a change made outside wasi-kit after that first fstat is seen.
    const c = host.open(root, 'f', { read: true });
    expect(host.fstat(c).size).toBe(10n);
    fs.truncateSync(path.join(dir, 'f'), 4);
    expect(host.fstat(c).size).toBe(4n);
  });

  it('sees a write to the same file through another HostFileSystem', () => {
    const { host, root } = setup();
    const other = new HostFileSystem(dir);
    const a = host.open(root, 'f', { read: true });
    const w = other.open(other.openRoot(), 'f', { write: true });
    other.write(w, text('xyzxyz'));
    expect(host.fstat(a).size).toBe(6n);
  });
});
