/**
 * wasi-kit for Node.js: `import { WASI } from 'wasi-kit'`, a drop-in for `node:wasi`.
 * @packageDocumentation
 */
import { nodePlatform } from './platform-node.js';
import { setPlatform } from './wasi.js';

setPlatform(nodePlatform);

export { WASI } from './wasi.js';
export type { WasiOptions, WasiVersion, PreopenTarget, TraceEvent } from './options.js';
export type { ClockSource, ClockName } from './kernel.js';
export { WasiOptionError, WasiStateError, WasiHostError, WasiError, ProcExit, FsError } from './errors.js';
export type { FileSystem, FileStat, FileType, DirEntry, OpenFlags, Handle } from './fs/types.js';
export { MemoryFileSystem } from './fs/memory-fs.js';
export { HostFileSystem } from './fs/host-fs.js';
export { memoryFileSystemFromHostDirectory } from './fs/memory-fs-from-host.js';
