// The `wasi-kit-coalesced` adapter: wasi-kit on the host filesystem with the opt-in coalesced stdout
// (`stdout: { fd: 1, buffer: true }`), to show what gathering small writes saves. bench/run.mjs
// registers it in the copied adapters.mjs.
const entry = new URL('../dist/index.js', import.meta.url);

export async function wasiKitCoalesced() {
  const { WASI } = await import(entry.href);
  return {
    create: (o) => new WASI({ version: 'preview1', args: o.args, env: o.env, preopens: o.preopens, returnOnExit: true, stdout: { fd: 1, buffer: true } }),
  };
}
