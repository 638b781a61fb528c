#!/usr/bin/env bash
# The full salesops test suite, every quality gate:
#   1. g++ optimised build with -Werror: all tests, examples and their output, the command
#      line, every public header on its own, the library as C++20, packaging consumers
#      (find_package, add_subdirectory, FetchContent, pkg-config), Doxygen with warnings as
#      errors, benchmarks compiled;
#   2. clang++ AddressSanitizer + UndefinedBehaviorSanitizer build running the whole suite.
# Build folders under build/ are reused between runs and ccache caches compilations.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test

start=$(date +%s)
jobs=$(nproc)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Cache hits across checkouts in different folders (CI clones afresh every run).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

echo "== g++ optimised build =="
cmake -S . -B build/gcc-release -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER=g++ "${launcher[@]}"
cmake --build build/gcc-release -j "$jobs"
ctest --test-dir build/gcc-release --output-on-failure -j "$jobs" --timeout 900

echo "== clang++ AddressSanitizer + UndefinedBehaviorSanitizer build =="
# No NDEBUG here, so Eigen's and our assertions stay on under the sanitizers.
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S . -B build/clang-asan -G Ninja -DCMAKE_BUILD_TYPE= \
      -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" \
      "-DCMAKE_CXX_FLAGS=-O1 -g ${sanitize}" \
      "-DCMAKE_EXE_LINKER_FLAGS=${sanitize}" \
      -DSALESOPS_BUILD_BENCHMARKS=OFF -DSALESOPS_TEST_PACKAGING=OFF \
      -DSALESOPS_CHECK_HEADERS=OFF -DSALESOPS_BUILD_DOCS=OFF -DSALESOPS_INSTALL=OFF
cmake --build build/clang-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/clang-asan --output-on-failure -j "$jobs" --timeout 1800

echo "salesops: all gates passed in $(( $(date +%s) - start )) s"
