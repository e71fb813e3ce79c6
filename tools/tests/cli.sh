#!/usr/bin/env bash
# The command line itself: dispatch, help, version and usage errors (exit 64).
. "$(dirname "$0")/lib.sh" "$@"

expect_ok --version
check "--version names the tool and library" grep -Eq '^clid [0-9]+\.[0-9]+\.[0-9]+ \(libclid [0-9]+\.[0-9]+\.[0-9]+; OpenSSL 3\.' "$TMP/out"
for words in "help" "--help" "-h"; do
    expect_ok $words
    out_has "usage: clid <command> [arguments]"
    out_has "  cert    show a certificate's fields and extensions; lint a chain against a profile"
done
expect_ok help cert
out_has "usage: clid cert show FILE [--json]"
expect_ok cert show --help
out_has "usage: clid cert show FILE [--json]"
expect_ok cert --help
out_has "usage: clid cert show FILE [--json]"
expect_ok help demo
out_has "usage: clid demo [--out FILE] [--json] [--no-call]"
expect_ok demo -h
out_has "usage: clid demo [--out FILE] [--json] [--no-call]"

# Usage errors: one line, exit 64, nothing on stdout.
expect_error 64 "^clid: frobnicate: unknown command \(see 'clid help'\)$" frobnicate
expect_error 64 "^clid: help: no such command 'frobnicate' \(see 'clid help'\)$" help frobnicate
expect_error 64 "^clid: cert: expects a subcommand \(show, lint\) \(see 'clid help cert'\)$" cert
expect_error 64 "^clid: cert: unknown subcommand 'list' \(see 'clid help cert'\)$" cert list
expect_error 64 "^clid: cert show: expects exactly one FILE \(see 'clid help cert'\)$" cert show
expect_error 64 "^clid: cert show: expects exactly one FILE " cert show a.pem b.pem
expect_error 64 "^clid: cert show: unknown option '--jsn' \(see 'clid help cert'\)$" cert show --jsn x.pem
expect_error 64 "^clid: cert show: unknown option '-x' " cert show -x x.pem
expect_error 64 "^clid: cert show: option '--json' given twice " cert show --json --json x.pem
expect_error 64 "^clid: cert show: option '--json' takes no value " cert show --json=yes x.pem
expect_error 64 "^clid: demo: option '--out' needs a value " demo --out
expect_error 64 "^clid: demo: option '--out' needs a non-empty value " demo --out=
expect_error 64 "^clid: demo: takes no operands " demo extra
# Usage errors are found before any file is touched: 64, not 66.
expect_error 64 "unknown option" cert show /nonexistent --bogus
# No arguments at all: the usage on stderr, exit 64.
run
expect_rc 64
check "bare 'clid' prints the usage on stderr" grep -q '^usage: clid' "$TMP/err"
check "bare 'clid' prints nothing on stdout" test ! -s "$TMP/out"
# "--" ends the options: a file named like an option can still be shown.
expect_error 66 "^clid: --json: cannot open: " cert show -- --json

finish
