/**
 * wasi-kit for browsers (the package's `browser` export condition): the same API as the Node entry,
 * without host directories. Guests get in-memory filesystems, stdio through options or the console.
 * @packageDocumentation
 */
import * as memfsModule from 'memfs';
import { setMemfsLoader } from './fs/memfs-loader.js';
import { browserPlatform } from './platform/browser.js';
import { setPlatform } from './platform/platform.js';

setPlatform(browserPlatform);
// A browser has no synchronous module loader: memfs comes with this entry, and the page's bundler
// decides where it goes (dist/browser.js leaves it as an import for that bundler).
setMemfsLoader(() => memfsModule);

export { WASI } from './wasi.js';
export type { WasiOptions, WasiVersion, PreopenTarget, TraceEvent, ThreadOptions, RunOptions, CoalescedOutput } from './options.js';
export type { ClockSource, ClockName } from './kernel/kernel.js';
export type { HostTerminal } from './terminal.js';
export { WasiOptionError, WasiStateError, WasiHostError, WasiError, ProcExit, FsError, type ErrnoName } from './errors.js';
export type { FileSystem, FileStat, FileType, DirEntry, OpenFlags, Handle } from './fs/types.js';
export { MemoryFileSystem } from './fs/memory-fs.js';
export { DirectoryHandleFileSystem, type DirectoryHandleFileSystemOptions } from './fs/directory-handle-fs.js';
export { SharedStdin } from './stdin/index.js';
export type { SocketListener, SocketConnection, HostAddr } from './sockets/types.js';
export { VirtualNetwork, type VirtualNetworkOptions, type VirtualDuplex } from './sockets/virtual-network.js';
