// One syscall of wasi-kit's `trace` option as a line: `path_open(fd=3, path="notes.txt", …) → success fd=4`.
// String arguments are read from guest memory; out-pointers of plain number types show what was written.
const decoder = new TextDecoder('utf-8', { fatal: false });
const OUT_BYTES = { fd: 4, size: 4, filesize: 8, timestamp: 8 };

// Addresses, flags and rights read best in hex; counts, fds and offsets in decimal.
const asHex = (core, type) => core.role === 'pointer' || typeof type === 'object' || /(flags|rights)$/.test(type ?? '');

export function formatTrace(event) {
  const { abi, args, memory } = event;
  const params = abi.core.params;
  const witxType = (name) => abi.params.find((p) => p.name === name)?.type;
  const inMemory = (ptr, len) => ptr >= 0 && len >= 0 && ptr + len <= memory.length;
  const shown = [];
  const outs = [];
  for (const p of params) {
    const value = args[p.name];
    const isString = witxType(p.param) === 'string';
    if (p.role === 'length' && isString) continue;
    if (p.role === 'pointer' && isString) {
      const len = Number(args[params.find((q) => q.role === 'length' && q.param === p.param).name]);
      const ptr = Number(value);
      shown.push(`${p.param}=${inMemory(ptr, len) ? JSON.stringify(decoder.decode(memory.subarray(ptr, ptr + len))) : '<out of bounds>'}`);
    } else if (p.role === 'out') {
      const bytes = OUT_BYTES[p.out];
      const ptr = Number(value);
      if (event.errno === 'success' && bytes && inMemory(ptr, bytes)) {
        const view = new DataView(memory.buffer, memory.byteOffset + ptr, bytes);
        outs.push(`${p.out}=${bytes === 4 ? view.getUint32(0, true) : view.getBigUint64(0, true)}`);
      }
    } else {
      shown.push(`${p.name}=${asHex(p, witxType(p.param)) ? `0x${value.toString(16)}` : value}`);
    }
  }
  const result = event.errno === undefined ? '' : ` → ${event.errno}${outs.length ? ` ${outs.join(' ')}` : ''}`;
  return `${abi.name}(${shown.join(', ')})${result}`;
}
