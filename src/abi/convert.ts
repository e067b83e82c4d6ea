import { WasiError } from './errno-of.js';
import { GuestError } from './guest-error.js';

// Range checks for raw wasm arguments, used by the generated import shims. A value that does not fit
// its WITX type is the guest's mistake: `inval`.

const bad = (what: string, x: number | bigint): never => {
  throw new GuestError('inval', `${x} is not a valid ${what}`);
};

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export const u8 = (x: number): number => ((x >>> 0) <= 0xff ? x >>> 0 : bad('u8', x));
export const u16 = (x: number): number => ((x >>> 0) <= 0xffff ? x >>> 0 : bad('u16', x));
export const s8 = (x: number): number => (x >= -0x80 && x <= 0x7f ? x : bad('s8', x));
export const s16 = (x: number): number => (x >= -0x8000 && x <= 0x7fff ? x : bad('s16', x));
/** wasm passes i64 as a signed BigInt; a u64 wants the unsigned reading. */
export const u64 = (x: bigint): bigint => (x < 0n ? BigInt.asUintN(64, x) : x);
/**
 * A wasm64 pointer as an offset: one at or above 2^53 lies beyond any memory a host can map, so it is
 * `fault` like any other address outside memory (wasmtime and Wasmer check i64 pointers against the memory).
 */
export const ptr64 = (x: bigint): number => {
  if (x >= 0n && x <= MAX_SAFE) return Number(x);
  throw new GuestError('fault', `pointer ${BigInt.asUintN(64, x)} is outside guest memory`);
};
/** A wasm64 `usize` (a count or size): one beyond 2^53 cannot describe anything in memory: `inval`. */
export const usize64 = (x: bigint): number => (x >= 0n && x <= MAX_SAFE ? Number(x) : bad('usize', BigInt.asUintN(64, x)));
export const enumValue = (x: number, count: number): number => ((x >>> 0) < count ? x >>> 0 : bad('enum value', x));
export const enum64 = (x: bigint, count: bigint): bigint => (x >= 0n && x < count ? x : bad('enum value', x));
export const flags = (x: number, all: number): number => ((x & ~all) === 0 ? x >>> 0 : bad('set of flags', x));
export const flags64 = (x: bigint, all: bigint): bigint => u64(x) & all;
/** A u64 shown to an older version as u32 (e.g. a link count): one that does not fit is `overflow`. */
export const narrowU32 = (x: bigint): number => {
  if (x > 0xffffffffn) throw new WasiError('overflow', `${x} does not fit in 32 bits`);
  return Number(x);
};
