/**
 * The WASI versions wasi-kit serves, in one place: the order `'auto'` provides them in and
 * `WASI.versionOf` reports them in. codegen's own list (witx/versions.ts) names the same ids; a test
 * holds the two equal.
 */
export const VERSION_IDS = ['preview1', 'snapshot0', 'ephemeral', 'wasix'] as const;
export type VersionId = (typeof VERSION_IDS)[number];

/** What `options.version` accepts: a version, node:wasi's `'unstable'` (snapshot0), or `'auto'`. */
export const WASI_VERSION_OPTIONS = [...VERSION_IDS, 'unstable', 'auto'] as const;
export type WasiVersion = (typeof WASI_VERSION_OPTIONS)[number];
