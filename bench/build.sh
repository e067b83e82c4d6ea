#!/bin/sh
# Builds wasi-kit's own benchmark programs (bench/src/*.c) into bench/wasm/, the way the shared
# suite's build.sh does (same toolchain, flags and bench.h). `npm run bench` copies them beside the
# suite's programs. Needs clang-14, lld-14, wasi-libc and libclang-rt-14-dev-wasm32 (Debian).
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang-14}
WASI_SYSROOT=${WASI_SYSROOT:-/usr}
SHARED=${BENCH_DIR:-../../shared/bench}
mkdir -p wasm
for src in src/*.c; do
  name=$(basename "$src" .c)
  "$CC" --target=wasm32-wasi --sysroot="$WASI_SYSROOT" -O2 -Wall -Wextra -I "$SHARED/src" \
    -Wl,--strip-all -o "wasm/$name.wasm" "$src"
  echo "built wasm/$name.wasm"
done
