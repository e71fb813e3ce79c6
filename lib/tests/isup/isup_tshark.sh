#!/bin/bash
# tshark (Debian) as an independent decoder of the SIP-I INVITEs clid writes
# (issue 13): isup_sipi_tool builds the IAM with clid's codec and puts it
# into a SIP-I body with clid_sipi_replace_isup; text2pcap wraps each
# request in UDP (deps-breadth notes §2: -F pcap explicit); tshark must then
# see, with no preference or decode-as, an ISUP IAM with the same called and
# calling digits and the Application Transport Parameter (context 90, SI new
# sequence), not a malformed packet.
# Usage: isup_tshark.sh ISUP_SIPI_TOOL. Exit 77 (skip) only when tshark is
# missing and CI is not set.
set -u
TOOL=$1
for p in tshark text2pcap; do
    if ! command -v "$p" >/dev/null 2>&1; then
        if [ -n "${CI:-}" ]; then
            echo "FAIL: $p missing (scripts/install-deps.sh installs tshark)"
            exit 1
        fi
        echo "SKIP: $p missing"
        exit 77
    fi
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
fail=0

check() { # what expected actual
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1: expected '$2', tshark gave '$3'"
        fail=1
    else
        echo "ok: $1: $3"
    fi
}

for mode in multipart single segmented; do
    "$TOOL" "$mode" "$mode.sip" || { echo "FAIL: isup_sipi_tool $mode"; exit 1; }
    od -Ax -tx1 -v "$mode.sip" >"$mode.hex"
    text2pcap -q -F pcap -4 192.0.2.1,192.0.2.2 -u 5060,5060 "$mode.hex" "$mode.pcap" ||
        { echo "FAIL: text2pcap $mode"; exit 1; }
    fields=$(tshark -r "$mode.pcap" -T fields -E separator=' ' -e isup.message_type \
        -e e164.calling_party_number.digits -e e164.called_party_number.digits 2>/dev/null)
    check "$mode: IAM, calling, called digits" "1 12155550123 2155552000" "$fields"
    # Every segment of the APM: context 90, and SI 1 on the first only.
    apm=$(tshark -r "$mode.pcap" -T fields -E separator=' ' -E aggregator=, \
        -e isup.app_context_identifier -e isup.APM_Sequence_ind \
        -e isup.apm_segmentation_ind 2>/dev/null)
    case $mode in
    segmented) want="90,90,90 1,0,0 2,1,0" ;;
    *) want="90 1 0" ;;
    esac
    check "$mode: application transport (context, SI, segmentation)" "$want" "$apm"
    verbose=$(tshark -r "$mode.pcap" -V 2>/dev/null)
    if ! grep -q 'Application transport' <<<"$verbose"; then
        echo "FAIL: $mode: no Application transport parameter in tshark -V"
        fail=1
    fi
    # tshark 4.0 reads Q.765 originating/destination address fields at the
    # start of every segment's data (packet-isup.c, context identifiers
    # above 3); clid splits the encapsulated information at 250 octets and
    # leaves its content to the application, so only the unsegmented
    # messages must be free of "malformed".
    if [ "$mode" != segmented ] && grep -qi 'malformed' <<<"$verbose"; then
        echo "FAIL: $mode: tshark reports a malformed packet:"
        grep -i -B3 'malformed' <<<"$verbose" | head -20
        fail=1
    fi
done
exit $fail
