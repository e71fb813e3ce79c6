#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds clid (Release) and runs its main job:
# `clid demo` makes a throwaway certificate carrying a TNAuthList and a
# SignallingEntity and prints it decoded. Arguments go to `clid demo`
# (e.g. --json, --out FILE).
#   scripts/quickstart.sh [--json] [--out FILE]
set -euo pipefail
exec </dev/null # no prompts
cd "$(dirname "$0")/.."
BUILD=${CLID_BUILD_ROOT:-build}/release

sh scripts/install-deps.sh
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCLID_TESTS=OFF
cmake --build "$BUILD" -j"$(nproc)"
echo
echo "==> $BUILD/tools/clid demo${*:+ $*}"
exec "$BUILD/tools/clid" demo "$@"
