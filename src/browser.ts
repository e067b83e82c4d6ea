/**
 * wasi-kit for browsers (the package's `browser` export condition): the same API as the Node entry,
 * without host directories. Guests get in-memory filesystems, stdio through options or the console.
 * @packageDocumentation
 */
import { browserPlatform } from './platform/browser.js';
import { setPlatform } from './platform/platform.js';

setPlatform(browserPlatform);

export { WASI } from './wasi.js';
export type { WasiOptions, WasiVersion, PreopenTarget, TraceEvent, ThreadOptions, RunOptions } from './options.js';
export type { ClockSource, ClockName } from './kernel/kernel.js';
export type { HostTerminal } from './terminal.js';
export { WasiOptionError, WasiStateError, WasiHostError, WasiError, ProcExit, FsError } from './errors.js';
export type { FileSystem, FileStat, FileType, DirEntry, OpenFlags, Handle } from './fs/types.js';
export { MemoryFileSystem } from './fs/memory-fs.js';
export { DirectoryHandleFileSystem, type DirectoryHandleFileSystemOptions } from './fs/directory-handle-fs.js';
export { SharedStdin } from './stdin/index.js';
export type { SocketListener, SocketConnection } from './sockets/types.js';
