#!/bin/sh
# Checks that the library's modules depend downwards only (DESIGN.md "Layers
# and folders"). A file in lib/src/<module>/ includes lib/src headers by their
# module path ("x509/trust.h") and only from its own module or one listed
# before it in ORDER. Inside asn1, the extension values (ext_values.h and the
# files that implement them) sit below the codec bridge (asn1_codec.h).
# Run by ctest as layout_layers (label layout); exit 1 names every violation.
set -eu
cd "$(dirname "$0")/../lib/src"
ORDER="core asn1 x509 passport fetch verify sip isup oob capture"
ASN1_VALUE_FILES="asn1/ext_values.h asn1/ext_tnauth.c asn1/ext_jwtcc.c asn1/ext_entity.c"

rank() { # module -> its position in ORDER, or nothing
    i=0
    for m in $ORDER; do
        if [ "$m" = "$1" ]; then
            echo "$i"
            return
        fi
        i=$((i + 1))
    done
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for dir in */; do
    mod=${dir%/}
    r=$(rank "$mod")
    if [ -z "$r" ]; then
        echo "lib/src/$mod/ is not a module of ORDER (add it where it belongs)" >>"$out"
        continue
    fi
    for f in "$mod"/*.c "$mod"/*.h; do
        [ -e "$f" ] || continue
        sed -n 's/^#include "\([^"]*\/[^"]*\)".*/\1/p' "$f" | while IFS= read -r inc; do
            other=${inc%%/*}
            ro=$(rank "$other")
            if [ -z "$ro" ]; then
                echo "lib/src/$f includes $inc: no module $other" >>"$out"
            elif [ "$ro" -gt "$r" ]; then
                echo "lib/src/$f includes $inc: $mod may not depend on $other" >>"$out"
            fi
        done
    done
done
for f in $ASN1_VALUE_FILES; do
    if grep -q '^#include "asn1/asn1_codec.h"' "$f"; then
        echo "lib/src/$f includes asn1/asn1_codec.h: the values sit below the codec" >>"$out"
    fi
done

if [ -s "$out" ]; then
    sed 's/^/check-layers: /' "$out"
    exit 1
fi
echo "check-layers: $ORDER: every include points down"
