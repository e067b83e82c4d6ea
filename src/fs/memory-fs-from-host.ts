/**
 * Copies a host directory tree into a {@link MemoryFileSystem}. Node-only, kept apart so that
 * `memory-fs.ts` stays importable in browsers.
 *
 * Regular files, directories (empty ones too) and symlinks (targets copied verbatim, so one
 * pointing outside the tree is refused when followed) are copied; other kinds (devices,
 * FIFOs, sockets) are skipped. Hard links become separate files. Timestamps are not copied.
 */

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { hostCall } from './errno-from-node.js';
import { MemoryFileSystem, type MemoryFileSystemOptions } from './memory-fs.js';
import type { Handle } from './types.js';

export function memoryFileSystemFromHostDirectory(path: string, options: MemoryFileSystemOptions = {}): MemoryFileSystem {
  // Build writable, then wrap read-only if asked: the copy itself must be able to write.
  const memory = new MemoryFileSystem({}, { ...options, readOnly: false });
  const root = memory.openRoot();
  copyTree(path, memory, root, '');
  memory.close(root);
  return options.readOnly ? readOnlyView(memory) : memory;
}

function copyTree(hostDir: string, memory: MemoryFileSystem, root: Handle, prefix: string): void {
  for (const entry of hostCall(() => fs.readdirSync(hostDir, { withFileTypes: true }))) {
    const host = nodePath.join(hostDir, entry.name);
    const guest = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      memory.mkdir(root, guest);
      copyTree(host, memory, root, guest);
    } else if (entry.isSymbolicLink()) {
      memory.symlink(hostCall(() => fs.readlinkSync(host)), root, guest);
    } else if (entry.isFile()) {
      const handle = memory.open(root, guest, { write: true, create: true, exclusive: true });
      memory.write(handle, hostCall(() => fs.readFileSync(host)));
      memory.close(handle);
    }
  }
}

function readOnlyView(memory: MemoryFileSystem): MemoryFileSystem {
  return memory.dir('.', { readOnly: true });
}
