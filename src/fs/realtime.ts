/**
 * Wall-clock time in nanoseconds for file timestamps, finer than `Date.now()`'s milliseconds.
 * `performance` exists in Node and browsers alike; browsers coarsen it, which is still no worse
 * than milliseconds.
 */
export function realtimeNs(): bigint {
  const micros = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
  return micros * 1000n;
}
