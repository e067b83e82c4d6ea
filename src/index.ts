/**
 * wasi-kit for Node.js: `import { WASI } from 'wasi-kit'`, a drop-in for `node:wasi`.
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { nodePlatform } from './platform/node.js';
import { MemoryFileSystem as CoreMemoryFileSystem, type MemoryFileSystemOptions } from './fs/memory-fs.js';
import { memoryFileSystemFromHostDirectory } from './fs/memory-fs-from-host.js';
import { setMemfsLoader, type MemfsModule } from './fs/memfs-loader.js';
import { setPlatform } from './platform/platform.js';

setPlatform(nodePlatform);
// memfs is CommonJS: required (synchronously) on the first MemoryFileSystem, not at import.
setMemfsLoader(() => createRequire(import.meta.url)('memfs') as MemfsModule);

export { WASI } from './wasi.js';
export type { WasiOptions, WasiVersion, PreopenTarget, TraceEvent, ThreadOptions, RunOptions, CoalescedOutput } from './options.js';
export type { ClockSource, ClockName } from './kernel/kernel.js';
export type { HostTerminal } from './terminal.js';
export { WasiOptionError, WasiStateError, WasiHostError, WasiError, ProcExit, FsError, type ErrnoName } from './errors.js';
export type { FileSystem, FileStat, FileType, DirEntry, OpenFlags, Handle } from './fs/types.js';
export { HostFileSystem } from './fs/host-fs.js';
export { listenTcp, type TcpListener } from './sockets/node-bridge.js';
export { SharedStdin } from './stdin/index.js';
export type { SocketListener, SocketConnection, HostAddr } from './sockets/types.js';
export { VirtualNetwork, type VirtualNetworkOptions, type VirtualDuplex } from './sockets/virtual-network.js';
export { memoryFileSystemFromHostDirectory };
export type { MemoryFileSystemOptions };

/**
 * The in-memory filesystem (see `MemoryFileSystem` of the core), with what only Node can add:
 * `MemoryFileSystem.fromHostDirectory(path)` copies a host directory tree into memory.
 */
export class MemoryFileSystem extends CoreMemoryFileSystem {
  /** A new in-memory filesystem holding a copy of the host directory `path` (files, directories, symlinks). */
  static fromHostDirectory(path: string, options?: MemoryFileSystemOptions): CoreMemoryFileSystem {
    return memoryFileSystemFromHostDirectory(path, options);
  }
}
