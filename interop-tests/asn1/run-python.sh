#!/bin/sh
# Runs a Python test script with an interpreter that has asn1crypto
# (Debian: python3-asn1crypto, seen by /usr/bin/python3; a pyenv or venv
# python3 first on PATH usually lacks it). CLID_TEST_PYTHON overrides.
# Exit 77 (ctest: skipped) when no such interpreter exists.
#
#   run-python.sh SCRIPT ARGS...
for py in ${CLID_TEST_PYTHON:-} /usr/bin/python3 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import asn1crypto' 2>/dev/null; then
        exec "$py" "$@"
    fi
done
echo "SKIP: no python3 with asn1crypto (apt-get install python3-asn1crypto)"
exit 77
