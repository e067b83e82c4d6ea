// The `wasi-kit-memory` adapter: wasi-kit serving every preopen from a MemoryFileSystem. Like the
// suite's browser_wasi_shim adapter, prepare() copies the host fixture directories into memory
// before the timer starts, so file benchmarks measure the in-memory filesystem (no system calls);
// what the program writes stays in memory. bench/run.mjs registers it in the copied adapters.mjs.
const entry = new URL('../dist/index.js', import.meta.url);

export async function wasiKitMemory() {
  const { WASI, MemoryFileSystem } = await import(entry.href);
  return {
    prepare: (o) => Object.fromEntries(Object.entries(o.preopens).map(([guest, host]) => [guest, MemoryFileSystem.fromHostDirectory(host)])),
    create: (o, preopens) => new WASI({ version: 'preview1', args: o.args, env: o.env, preopens, returnOnExit: true }),
  };
}
