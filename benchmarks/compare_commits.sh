#!/usr/bin/env bash
# A/B of one benchmark program between two commits, on the same machine state: builds
# benchmarks/BENCH.cpp against the headers of each commit (g++ -O3 -DNDEBUG, as the Release
# build), then runs the two binaries alternately RUNS times and prints each one's times sorted
# (the real_time column, in the benchmark's unit). Alternating spreads the drift of a shared
# machine over both. Usage:
#   benchmarks/compare_commits.sh BENCH COMMIT_A COMMIT_B [RUNS] [FILTER]
#   benchmarks/compare_commits.sh bench_scoring dfa60ce bfaf7a1 8 bootstrap
set -euo pipefail
bench=$1 a=$2 b=$3 runs=${4:-8} filter=${5:-.}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in "$a" "$b"; do
  mkdir -p "$work/$c"
  git archive "$c" include "benchmarks/$bench.cpp" | tar -x -C "$work/$c"
  g++ -std=c++17 -O3 -DNDEBUG -I "$work/$c/include" -isystem /usr/include/eigen3 \
      "$work/$c/benchmarks/$bench.cpp" -lbenchmark_main -lbenchmark -lpthread -o "$work/$c/bench"
done
for _ in $(seq "$runs"); do
  for c in "$a" "$b"; do
    "$work/$c/bench" --benchmark_filter="$filter" 2>/dev/null |
      awk '$2 ~ /^[0-9.]+$/ && $1 !~ /_(mean|median|stddev|cv)$/ {print $2}' >> "$work/$c.times"
  done
done
for c in "$a" "$b"; do echo "$c: $(sort -n "$work/$c.times" | tr '\n' ' ')"; done
