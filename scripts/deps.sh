#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages salesops needs to build, test and run its demo.
# Usage: scripts/deps.sh demo|test. As root it runs a non-interactive apt-get; otherwise it
# stops and prints the exact command to run.
set -euo pipefail

common=(cmake ninja-build g++ pkg-config libeigen3-dev libboost-dev libcli11-dev nlohmann-json3-dev ccache)
case "${1:-test}" in
  demo) wanted=("${common[@]}") ;;
  test) wanted=("${common[@]}" clang libclang-rt-14-dev catch2 libbenchmark-dev doxygen git) ;;
  *) echo "usage: $0 demo|test" >&2; exit 64 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "salesops: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "salesops: missing packages: ${missing[*]}" >&2
  echo "Install them with:  sudo sh -c '$command'" >&2
  exit 1
fi
