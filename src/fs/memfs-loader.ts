/**
 * memfs, loaded when the first {@link MemoryFileSystem} is made rather than at import: it is about
 * a hundred CommonJS files (tens of milliseconds), and most programs never make one. The entry
 * points say how to load it synchronously: Node's `createRequire`, a static import in browsers
 * (where the bundler places it). The core itself imports no module loader.
 */
import type * as Memfs from 'memfs';

export type MemfsModule = typeof Memfs;

let load: (() => MemfsModule) | undefined;
let loaded: MemfsModule | undefined;

/** Set by each entry point (src/index.ts, src/browser.ts). */
export function setMemfsLoader(loader: () => MemfsModule): void {
  load = loader;
}

/** memfs, loaded on the first call. */
export function memfs(): MemfsModule {
  if (loaded === undefined) {
    if (load === undefined) throw new Error('wasi-kit: no memfs loader: import MemoryFileSystem from the package entry (wasi-kit)');
    loaded = load();
  }
  return loaded;
}
