#!/usr/bin/env bash
# Builds the salesops command line and runs its demo: a simulated sales organisation and its
# sales-operations summary. Extra arguments go to `salesops demo` (e.g. --seed 42).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh demo
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" \
      -DSALESOPS_BUILD_TESTS=OFF -DSALESOPS_BUILD_BENCHMARKS=OFF -DSALESOPS_INSTALL=OFF >/dev/null
cmake --build build/demo --target salesops_cli >/dev/null
exec build/demo/examples/salesops demo "$@"
