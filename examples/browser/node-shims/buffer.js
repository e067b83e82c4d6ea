// The part of Node's Buffer that memfs's in-memory tree uses (allocation, copying, UTF-8), on Uint8Array.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Buffer extends Uint8Array {
  static alloc(size, fill = 0) {
    return new Buffer(size).fill(fill);
  }

  static allocUnsafe(size) {
    return new Buffer(size);
  }

  static from(value, offsetOrEncoding, length) {
    if (typeof value === 'string') {
      if (offsetOrEncoding !== undefined && !/^utf-?8$/i.test(offsetOrEncoding)) throw new TypeError(`Buffer shim: only UTF-8 strings, not ${offsetOrEncoding}`);
      const bytes = encoder.encode(value);
      return new Buffer(bytes.buffer, bytes.byteOffset, bytes.length);
    }
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
      return new Buffer(value, offsetOrEncoding ?? 0, length ?? value.byteLength - (offsetOrEncoding ?? 0));
    }
    const copy = new Buffer(value.length);
    copy.set(value);
    return copy;
  }

  static isBuffer(value) {
    return value instanceof Buffer;
  }

  static isEncoding(encoding) {
    return /^utf-?8$/i.test(encoding);
  }

  static byteLength(value) {
    return typeof value === 'string' ? encoder.encode(value).length : value.byteLength;
  }

  static concat(list, total) {
    const out = new Buffer(total ?? list.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of list) {
      out.set(b.subarray(0, out.length - at), at);
      at += b.length;
      if (at >= out.length) break;
    }
    return out;
  }

  copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
    const part = this.subarray(sourceStart, Math.min(sourceEnd, sourceStart + target.length - targetStart));
    target.set(part, targetStart);
    return part.length;
  }

  toString(encoding, start = 0, end = this.length) {
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) throw new TypeError(`Buffer shim: only UTF-8, not ${encoding}`);
    return decoder.decode(this.subarray(start, end));
  }
}
