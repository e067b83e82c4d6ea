// MemoryFileSystem drives memfs through private fields (`Volume._core`, its links and inode nodes,
// a node's `buf`), which memfs may change in any release: package.json pins the version tested. This
// test fails loudly, naming memfs and its version, if the fields it relies on change shape.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Volume } from 'memfs';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const installed = (JSON.parse(readFileSync(require.resolve('memfs/package.json'), 'utf8')) as { version: string }).version;
const pinned = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> }).dependencies.memfs;

/** Checks `value[key]` has type `type`, failing with a message naming memfs. */
function field(owner: string, value: object, key: string, type: string): void {
  const got = typeof (value as Record<string, unknown>)[key];
  expect(got, `memfs ${installed} changed shape: ${owner}.${key} is ${got}, wasi-kit's MemoryFileSystem needs ${type} (src/fs/memory-fs.ts)`).toBe(type);
}

describe(`memfs ${installed}: the private fields MemoryFileSystem uses`, () => {
  it('package.json pins the exact memfs version installed (its private fields are not an API)', () => {
    expect(pinned, 'memfs must be pinned to an exact version in package.json').toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed, `memfs ${installed} is installed, package.json pins ${pinned}`).toBe(pinned);
  });

  it('Volume._core: root link, createNode, deleteNode', () => {
    const volume = new Volume() as unknown as Record<string, unknown>;
    field('Volume', volume, '_core', 'object');
    const core = volume._core as object;
    field('Volume._core', core, 'root', 'object');
    field('Volume._core', core, 'createNode', 'function');
    field('Volume._core', core, 'deleteNode', 'function');
  });

  it('links: children, getNode, createChild, setChild, deleteChild; nodes: mode, nlink, ino, times, buf, symlink', () => {
    const volume = new Volume();
    volume.writeFileSync('/f', 'data');
    volume.symlinkSync('f', '/s');
    const root = (volume as unknown as { _core: { root: Record<string, unknown> } })._core.root;
    field('Link', root, 'children', 'object');
    expect(root.children instanceof Map, `memfs ${installed} changed shape: Link.children is not a Map`).toBe(true);
    for (const m of ['getNode', 'createChild', 'setChild', 'deleteChild']) field('Link', root, m, 'function');
    const children = root.children as Map<string, { getNode(): Record<string, unknown> }>;
    const file = children.get('f')!.getNode();
    for (const k of ['mode', 'nlink', 'ino']) field('Node', file, k, 'number');
    for (const k of ['atime', 'mtime', 'ctime']) expect(file[k] instanceof Date, `memfs ${installed} changed shape: Node.${k} is not a Date`).toBe(true);
    for (const m of ['isDirectory', 'isFile', 'getSize']) field('Node', file, m, 'function');
    expect(file.buf instanceof Uint8Array, `memfs ${installed} changed shape: Node.buf is not a Buffer`).toBe(true);
    expect(Buffer.from((file.buf as Uint8Array).subarray(0, (file.getSize as () => number).call(file))).toString()).toBe('data');
    expect(children.get('s')!.getNode().symlink, `memfs ${installed} changed shape: Node.symlink is not the target`).toBe('f');
  });
});
