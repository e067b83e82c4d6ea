// Stands in for test/fs/helpers.ts when the behaviour suite runs in a page (suite-entry.ts): the same
// calls, and one backend, DirectoryHandleFileSystem over a fresh OPFS directory per test.
import { DirectoryHandleFileSystem } from '../../../src/fs/directory-handle-fs.js';
import type { FileSystem, FileSystemLimits } from '../../../src/fs/types.js';
import type { Backend } from '../../fs/helpers.js';
import { writeFile } from '../../fs/fs-calls.js';

export * from '../../fs/fs-calls.js';

/** Set by the runner before each test: its two empty directories, and what it made so far. */
export const current: { dir?: FileSystemDirectoryHandle; readOnlyDir?: FileSystemDirectoryHandle; made: FileSystem[]; next: number } = { made: [], next: 0 };

/**
 * A test body runs again from its start after each step that waited, so a filesystem it makes must be
 * the same object every time: the n-th made in an attempt is the n-th made in the first.
 */
function once(make: () => FileSystem): FileSystem {
  const n = current.next++;
  return (current.made[n] ??= make());
}

export const backends: Backend[] = [
  {
    name: 'DirectoryHandleFileSystem (OPFS)',
    timePrecisionNs: 1_000_000n,
    make: (limits: FileSystemLimits = {}) => ({ fs: once(() => new DirectoryHandleFileSystem(current.dir!, limits)), cleanup: () => {} }),
    makeReadOnly: (files) => {
      const writer = once(() => new DirectoryHandleFileSystem(current.readOnlyDir!));
      const root = writer.openRoot();
      for (const [path, content] of Object.entries(files)) {
        const parts = path.split('/');
        for (let i = 1; i < parts.length; i++) {
          const dir = parts.slice(0, i).join('/');
          if (writer.readdir(root).every((e) => e.name !== dir)) writer.mkdir(root, dir);
        }
        writeFile(writer, root, path, content);
      }
      writer.close(root);
      return { fs: once(() => new DirectoryHandleFileSystem(current.readOnlyDir!, { readOnly: true })), cleanup: () => {} };
    },
  },
];
