#!/bin/sh
# Issue 11 item 7: libpcap is a dependency of libclid_capture only; libclid,
# which proxies link to sign and verify, must not record it (DT_NEEDED).
# Usage: link_boundary.sh LIBCLID_SO LIBCLID_CAPTURE_SO
set -eu
fail=0
if readelf -d "$1" | grep -q 'NEEDED.*libpcap'; then
    echo "FAIL: $1 links libpcap"
    fail=1
fi
if ! readelf -d "$2" | grep -q 'NEEDED.*libpcap'; then
    echo "FAIL: $2 does not link libpcap"
    fail=1
fi
[ "$fail" -eq 0 ] && echo "link_boundary: libpcap only in $(basename "$2")"
exit "$fail"
