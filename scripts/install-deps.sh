#!/bin/sh
# Installs every Debian 12 package clid needs to build, test, fuzz and run its interop tests.
# Usage: sudo scripts/install-deps.sh   (or as root). Idempotent; safe to re-run.
set -eu

PACKAGES="
  build-essential cmake pkg-config git ca-certificates
  asn1c libosip2-dev libcmocka-dev libssl-dev openssl
  libjansson-dev libcurl4-openssl-dev libmicrohttpd-dev libpcap-dev libhiredis-dev redis-server
  clang libclang-rt-14-dev valgrind
  jq perl python3 python3-asn1crypto python3-cryptography python3-jwt
  secsipidx libsecsipid-dev kamailio kamailio-secsipid-modules sip-tester
  kamailio-utils-modules kamailio-extra-modules
  iproute2 procps curl wrk time bc
  tshark
  chromium
"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

echo "install-deps: installing:$missing"
# tshark's wireshark-common asks whether non-root users may capture: answer
# "no" beforehand, so the install never waits for a prompt (clid trace tests
# read files; live tests run as root).
if command -v debconf-set-selections >/dev/null 2>&1; then
    echo "wireshark-common wireshark-common/install-setuid boolean false" |
        $SUDO debconf-set-selections
fi
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
