#!/usr/bin/env bash
# Install test (ctest install_consumer, label "install"): installs a build
# tree into a temporary prefix, then builds consumer.c against that prefix
#   1. with find_package(clid) -> clid::clid and clid::clid_static, and
#   2. with `pkg-config --cflags --libs clid`,
# and runs each program. Any broken public header, missing export, or broken
# clid.pc / clidConfig.cmake fails it.
#   run.sh BUILD_DIR [C_COMPILER]
set -euo pipefail
build=$(cd "$1" && pwd)
cc=${2:-cc}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clid-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

step() { echo "install_consumer: $*"; }

step "cmake --install into $prefix"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log"

# Where GNUInstallDirs put things (lib or lib/<multiarch>).
pc=$(find "$prefix" -name clid.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] || { echo "install_consumer: clid.pc not installed" >&2; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
for f in include/clid/clid.h include/clid/clid_errors.h include/clid/clid_export.h \
    include/clid/clid_ext.h include/clid/clid_sip.h include/clid/clid_version.h \
    include/clid/clid_capture.h include/clid/clid_oob.h include/clid/clid_isup.h bin/clid; do
    [ -e "$prefix/$f" ] || { echo "install_consumer: $f not installed" >&2; exit 1; }
done
for f in libclid.so libclid.a libclid_capture.so cmake/clid/clidConfig.cmake cmake/clid/clidConfigVersion.cmake \
    cmake/clid/clidTargets.cmake; do
    [ -e "$libdir/$f" ] || { echo "install_consumer: ${libdir#$prefix/}/$f not installed" >&2; exit 1; }
done
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

# Only the public API may be exported: every dynamic symbol is clid_*.
if command -v nm >/dev/null; then
    bad=$(nm -D --defined-only "$libdir/libclid.so" "$libdir/libclid_capture.so" |
        awk 'NF == 3 {print $3}' | grep -v '^clid_' || true)
    if [ -n "$bad" ]; then
        echo "install_consumer: libclid.so or libclid_capture.so exports non-clid symbols:" $bad >&2
        exit 1
    fi
fi

step "find_package(clid)"
cmake -S "$here" -B "$tmp/cmake-build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_BUILD_TYPE=Release >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; exit 1; }
cmake --build "$tmp/cmake-build" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
"$tmp/cmake-build/consumer"
"$tmp/cmake-build/consumer_static"

step "pkg-config --cflags --libs clid"
# An installed .pc names the prefix given at configure time, not --prefix. Point
# a copy's prefix= line at the test prefix; every other line is used as installed,
# so a path not derived from ${prefix}, a wrong -l or a bad Requires still fails.
mkdir -p "$tmp/pc"
sed "s|^prefix=.*|prefix=$prefix|" "$pc" >"$tmp/pc/clid.pc"
export PKG_CONFIG_PATH=$tmp/pc
flags=$(pkg-config --cflags --libs clid)
echo "install_consumer: $flags"
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror -pedantic "$here/consumer.c" $flags -o "$tmp/consumer-pc"
"$tmp/consumer-pc"
pkg-config --exists 'clid >= 0.1' || { echo "install_consumer: pkg-config version check" >&2; exit 1; }

step "installed tool runs"
"$prefix/bin/clid" --version
step "ok"
