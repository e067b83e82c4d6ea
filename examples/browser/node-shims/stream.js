// memfs defines its fs.createReadStream/createWriteStream classes on these when it loads; wasi-kit never
// makes a stream, so constructing one says so instead of half-working.
const unavailable = (name) =>
  function () {
    throw new Error(`${name} streams are not available in wasi-kit's browser build`);
  };

export const Readable = unavailable('Readable');
export const Writable = unavailable('Writable');
