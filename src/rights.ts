import { Rights } from '../generated/preview1/types.js';

// Rights are kept as JS numbers: every preview1 right fits in 32 bits, so checks on the hot path are
// plain integer ANDs. They become u64 bigints only at the ABI edge.

type RightName = keyof typeof Rights;
export const R = Object.fromEntries(Object.entries(Rights).map(([k, v]) => [k, Number(v)])) as Record<RightName, number>;
export const ALL_RIGHTS = Object.values(R).reduce((a, b) => a | b, 0) >>> 0;

const rights = (...names: RightName[]) => names.reduce((a, n) => a | R[n], 0) >>> 0;

export const FILE_RIGHTS = rights(
  'fd_datasync', 'fd_read', 'fd_seek', 'fd_fdstat_set_flags', 'fd_sync', 'fd_tell', 'fd_write', 'fd_advise',
  'fd_allocate', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'poll_fd_readwrite',
);

export const DIR_RIGHTS = rights(
  'fd_fdstat_set_flags', 'fd_sync', 'fd_advise', 'path_create_directory', 'path_create_file', 'path_link_source',
  'path_link_target', 'path_open', 'fd_readdir', 'path_readlink', 'path_rename_source', 'path_rename_target',
  'path_filestat_get', 'path_filestat_set_size', 'path_filestat_set_times', 'fd_filestat_get',
  'fd_filestat_set_times', 'path_symlink', 'path_remove_directory', 'path_unlink_file',
);

export const STDIO_RIGHTS = rights('fd_read', 'fd_write', 'fd_fdstat_set_flags', 'fd_filestat_get', 'poll_fd_readwrite');

export const toBig = (r: number): bigint => BigInt(r >>> 0);
/** The guest's u64 mask, cut to the rights that exist (all of which fit in 32 bits). */
export const fromBig = (r: bigint): number => (Number(BigInt.asUintN(32, r)) & ALL_RIGHTS) >>> 0;
