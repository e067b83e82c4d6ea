#!/usr/bin/env bash
# Builds the C test programs in test/programs/*.c into test/programs/*.wasm
# (wasm32-wasi, WASI preview1 "command" modules). The .wasm files are
# committed beside their sources, as Node does for its own WASI tests.
#
# Usage:
#   bash scripts/build-programs.sh           rebuild every test/programs/*.wasm
#   bash scripts/build-programs.sh --check   rebuild into a temp dir and exit 1,
#                                            listing each committed .wasm that is
#                                            missing or differs from its rebuild
#
# Toolchain (Debian 12 packages): clang-14, lld-14, wasi-libc
# (0.0~git20220510), libclang-rt-14-dev-wasm32. On Debian these need no
# symlinks or PATH tricks:
#   --target=wasm32-wasi --sysroot=/usr
#       clang's WASI driver maps the sysroot to <sysroot>/include/wasm32-wasi
#       and -L<sysroot>/lib/wasm32-wasi, which is where Debian's wasi-libc puts
#       its headers and libc.a/crt1-command.o;
#   -nostdlibinc -isystem /usr/include/wasm32-wasi
#       with --sysroot=/usr the default include path would also contain
#       /usr/local/include and /usr/include (the host's glibc headers) after
#       the wasi-libc ones; drop them so a header missing from wasi-libc is an
#       error instead of a silent glibc fallback (clang's own stddef.h etc.
#       stay available);
#   linker: named with -fuse-ld=/usr/bin/wasm-ld-14, because clang is run
#       from /usr/lib/llvm-14/bin with an empty PATH (see cc() below: that
#       keeps it from running wasm-opt on its own);
#   -Wl,--strip-debug
#       Debian's libc.a carries DWARF (with its build paths); dropping it cuts
#       the binaries ~4x. The "name" section stays, so traps still show
#       function names in stack traces;
#   compiler-rt: clang links
#       /usr/lib/llvm-14/lib/clang/14.0.6/lib/wasi/libclang_rt.builtins-wasm32.a
#       from libclang-rt-14-dev-wasm32 automatically.
# Threaded programs (test/programs/threads/*.c): Debian's wasi-libc has no threads build, so they
# are freestanding C (no libc) for wasm32 with atomics, linked with thread-start.s against an
# imported shared memory:
#   --target=wasm32 -nostdlib -matomics -mbulk-memory
#   -Wl,--import-memory,--shared-memory,--max-memory=4194304,--no-entry
# WASIX programs with setjmp/longjmp (test/programs/wasix/*.c, and any source whose first line is
# "// build: asyncify"): also -mmutable-globals and -Wl,--export=__stack_pointer (the host saves and
# restores the stack pointer), then Binaryen's asyncify pass (Debian's binaryen, wasm-opt 108):
#   wasm-opt --asyncify --pass-arg=asyncify-imports@wasix_32v1.stack_checkpoint,wasix_32v1.proc_fork -O2
# Only the imports that unwind are listed, so only the functions that can reach them are instrumented.
# Process programs (test/programs/proc/*.c) are ordinary wasi-libc commands declaring their WASIX
# imports themselves (proc/wasix.h); those that fork are marked "build: asyncify" too.
# Builds are deterministic (no debug info, sources compiled by relative name
# from test/programs/), so --check compares bytes. A different clang or
# wasi-libc version will produce different bytes; override the compiler with
# CC=... if needed, but rebuild and commit with the toolchain above.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC_DIR="$ROOT/test/programs"
CC="${CC:-clang-14}"
CFLAGS=(
  --target=wasm32-wasi
  --sysroot=/usr
  -nostdlibinc
  -isystem /usr/include/wasm32-wasi
  -O2
  -Wall -Wextra -Werror
  -Wl,--strip-debug
)

mode=build
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  -h | --help)
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "unknown argument: $1 (expected --check or nothing)" >&2
    exit 2
    ;;
esac

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "error: $CC not found (apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)" >&2
  exit 2
fi

# clang-14 runs Binaryen's wasm-opt on its output whenever it finds one beside the clang it was started
# as (/usr/bin) or on PATH, so the bytes would depend on whether the binaryen package is installed. Run
# the compiler from its own directory (Debian: /usr/lib/llvm-14/bin, which has no wasm-opt) with an empty
# PATH, naming the linker, so --check compares the same bytes on every machine.
CC_PATH="$(readlink -f "$(command -v "$CC")")"
LD_PATH="$(command -v wasm-ld-14 || command -v wasm-ld || true)"
if [ -z "$LD_PATH" ]; then
  echo "error: wasm-ld-14 not found (apt-get install lld-14)" >&2
  exit 2
fi
cc() { env PATH=/nonexistent "$CC_PATH" -fuse-ld="$LD_PATH" "$@"; }
if ! command -v wasm-opt >/dev/null 2>&1; then
  echo "error: wasm-opt not found (apt-get install binaryen)" >&2
  exit 2
fi
ASYNCIFY=(--asyncify --pass-arg=asyncify-imports@wasix_32v1.stack_checkpoint,wasix_32v1.proc_fork -O2)
asyncify() { [[ "$1" == wasix/* ]] || head -n 1 "$1" | grep -qx '// build: asyncify'; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$SRC_DIR"
shopt -s nullglob
sources=(*.c wasix/*.c)
if [ ${#sources[@]} -eq 0 ]; then
  echo "error: no .c files in $SRC_DIR" >&2
  exit 2
fi

# Compile everything into the temp dir first, so a failed build never leaves
# a half-updated set of committed .wasm files.
mkdir -p "$tmp/wasix"
for src in "${sources[@]}"; do
  name="${src%.c}"
  if asyncify "$src"; then
    cc "${CFLAGS[@]}" -mmutable-globals -Wl,--export=__stack_pointer "$src" -o "$tmp/$name.linked.wasm"
    wasm-opt "$tmp/$name.linked.wasm" "${ASYNCIFY[@]}" -o "$tmp/$name.wasm"
  else
    cc "${CFLAGS[@]}" "$src" -o "$tmp/$name.wasm"
  fi
done

THREAD_FLAGS=(
  --target=wasm32
  -nostdlib
  -matomics
  -mbulk-memory
  -O2
  -Wall -Wextra -Werror
  -Wl,--import-memory,--shared-memory,--max-memory=4194304,--no-entry,--strip-debug
)
mkdir -p "$tmp/threads"
thread_sources=(threads/*.c)
for src in "${thread_sources[@]}"; do
  name="${src%.c}"
  if asyncify "$src"; then
    cc "${THREAD_FLAGS[@]}" -mmutable-globals -Wl,--export=__stack_pointer "$src" threads/thread-start.s -o "$tmp/$name.linked.wasm"
    wasm-opt "$tmp/$name.linked.wasm" --enable-threads --enable-bulk-memory "${ASYNCIFY[@]}" -o "$tmp/$name.wasm"
  else
    cc "${THREAD_FLAGS[@]}" "$src" threads/thread-start.s -o "$tmp/$name.wasm"
  fi
done
sources+=("${thread_sources[@]}")

# Process programs (test/programs/proc/*.c): ordinary wasi-libc commands; the WASIX process calls they
# make are declared in proc/wasix.h with import_module/import_name attributes.
mkdir -p "$tmp/proc"
proc_sources=(proc/*.c)
for src in "${proc_sources[@]}"; do
  if asyncify "$src"; then
    cc "${CFLAGS[@]}" -mmutable-globals -Wl,--export=__stack_pointer "$src" -o "$tmp/${src%.c}.linked.wasm"
    wasm-opt "$tmp/${src%.c}.linked.wasm" "${ASYNCIFY[@]}" -o "$tmp/${src%.c}.wasm"
  else
    cc "${CFLAGS[@]}" "$src" -o "$tmp/${src%.c}.wasm"
  fi
done
sources+=("${proc_sources[@]}")

status=0
for src in "${sources[@]}"; do
  name="${src%.c}"
  if [ "$mode" = check ]; then
    if [ ! -f "$name.wasm" ]; then
      echo "missing: test/programs/$name.wasm" >&2
      status=1
    elif ! cmp -s "$tmp/$name.wasm" "$name.wasm"; then
      echo "differs: test/programs/$name.wasm (rebuild from $name.c)" >&2
      status=1
    fi
  else
    cp "$tmp/$name.wasm" "$name.wasm"
    echo "built test/programs/$name.wasm"
  fi
done

if [ "$mode" = check ]; then
  for wasm in *.wasm threads/*.wasm proc/*.wasm wasix/*.wasm; do
    if [ ! -f "${wasm%.wasm}.c" ]; then
      echo "orphan: test/programs/$wasm has no ${wasm%.wasm}.c" >&2
      status=1
    fi
  done
  if [ $status -eq 0 ]; then
    echo "all ${#sources[@]} test programs match their sources"
  else
    echo "run: bash scripts/build-programs.sh" >&2
  fi
fi
exit $status
