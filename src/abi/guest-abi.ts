import * as L32 from '../../generated/preview1/layout.js';
import * as L64 from '../../generated/wasix64-preview1/layout.js';
import { ptr64, usize64 } from './convert.js';

/**
 * What a handler that reads pointers out of guest records must know about its guest: the generated
 * layouts of the records it reads (iovecs, the pointer array of args/environ) and how to read a pointer
 * or `usize` stored in memory. wasm32 guests (every version but `wasix_64v1`) store them as u32; wasm64
 * guests as u64, which `ptr64`/`usize64` turn into offsets (`fault`/`inval` beyond 2^53).
 */
export interface GuestAbi {
  readonly pointer: { readonly SIZE: 4 | 8; readonly ALIGN: 4 | 8 };
  readonly iovec: { readonly SIZE: number; readonly ALIGN: number; readonly buf: number; readonly buf_len: number };
  readonly ciovec: GuestAbi['iovec'];
  /** The pointer stored at `at`. */
  readPointer(v: DataView, at: number): number;
  /** The `usize` stored at `at`. */
  readUsize(v: DataView, at: number): number;
  writeUsize(v: DataView, at: number, x: number): void;
}

export const WASM32: GuestAbi = {
  pointer: L32.GUEST_POINTER,
  iovec: L32.IOVEC,
  ciovec: L32.CIOVEC,
  readPointer: (v, at) => v.getUint32(at, true),
  readUsize: (v, at) => v.getUint32(at, true),
  writeUsize: (v, at, x) => v.setUint32(at, x, true),
};

export const WASM64: GuestAbi = {
  pointer: L64.GUEST_POINTER,
  iovec: L64.IOVEC,
  ciovec: L64.CIOVEC,
  readPointer: (v, at) => ptr64(v.getBigUint64(at, true)),
  readUsize: (v, at) => usize64(v.getBigUint64(at, true)),
  writeUsize: (v, at, x) => v.setBigUint64(at, BigInt(x), true),
};
