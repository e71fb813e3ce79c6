# Helpers for the `clid ca` tests (sourced after lib.sh, not run).

# The tests cd into $TMP: make the binary's path absolute first.
case $CLID in
    /*) ;;
    *) CLID=$(cd "$(dirname "$CLID")" && pwd)/$(basename "$CLID") ;;
esac

# quiet COMMAND...: runs COMMAND with its output discarded (for `check`).
quiet() {
    "$@" >/dev/null 2>&1
}

# dir_hash DIR: names, modes, sizes and contents of everything in DIR.
dir_hash() {
    hash_tree "$1" ""
}

# dir_hash_no_tmp DIR: the same, ignoring temporary files a killed writer left.
dir_hash_no_tmp() {
    hash_tree "$1" 1
}

# hash_tree DIR NO_TMP: one perl process (find, sort and sha256sum were
# eight per call): the SHA-256 of "path mode size" for every entry in path
# order, each regular file's contents after its line; with NO_TMP, entries
# named .tmp.* are left out.
hash_tree() {
    HASH_NO_TMP=$2 perl -MFile::Find -MDigest::SHA -e '
        my $dir = shift;
        my @e;
        find({ no_chdir => 1, wanted => sub {
            my $p = $File::Find::name;
            (my $rel = $p) =~ s{^\Q$dir\E}{.};
            my ($base) = $rel =~ m{([^/]*)$};
            return if $ENV{HASH_NO_TMP} && $base =~ /^\.tmp\./;
            my @st = lstat $p or die "$p: $!\n";
            push @e, [$rel, sprintf("%s %o %d", $rel, $st[2] & 07777, $st[7]),
                      -f _ ? $p : undef];
        } }, $dir);
        my $sha = Digest::SHA->new(256);
        for my $x (sort { $a->[0] cmp $b->[0] } @e) {
            $sha->add("$x->[1]\n");
            $sha->addfile($x->[2], "b") if defined $x->[2];
        }
        print $sha->hexdigest, "\n";' "$1"
}

# ca_consistent DIR: the invariants docs/ca.md promises after any crash.
#   - index.json is a version 1 index whose serials are unique;
#   - every entry's certs/SERIAL.pem exists and has the recorded SHA-256;
#   - no serial counter file (serials are random: a certs/SERIAL.pem or an
#     index entry is what spends one);
#   - the keys are mode 0600 (not checked with a second argument "nomode":
#     git does not keep file modes, so a checkout's keys are 0644).
# Prints what is wrong and returns 1.
ca_consistent() {
    local d=$1 mode=${2:-mode} bad=0 head version n uniq s file want got k
    # One jq and no openssl per entry: process start-up is what costs here.
    if ! jq -r '"\(.version) \(.certificates | length) \([.certificates[].serial] | unique | length)",
                (.certificates[] | "\(.serial) \(.file) \(.sha256)")' "$d/index.json" \
        >"$TMP/consistent.txt" 2>/dev/null; then
        echo "ca_consistent: $d/index.json is not JSON" >&2
        return 1
    fi
    read -r version n uniq <"$TMP/consistent.txt"
    if [ "$version" != 1 ]; then
        echo "ca_consistent: $d/index.json is not a version 1 index" >&2
        return 1
    fi
    if [ "$n" != "$uniq" ]; then
        echo "ca_consistent: $d: duplicate serials in the index" >&2
        bad=1
    fi
    # The SHA-256 of each entry's DER (its PEM body decoded), all in one
    # perl process: "serial file want got" ("missing" when there is no file).
    CA_DIR=$d perl -MDigest::SHA=sha256_hex -MMIME::Base64 -ne '
        next if $. == 1;
        chomp;
        my ($s, $file, $want) = split / /;
        my $got = "missing";
        my $path = "$ENV{CA_DIR}/$file";
        if (-f $path && open my $fh, "<", $path) {
            local $/;
            my $pem = <$fh>;
            $pem =~ s/^-----[^\n]*(\n|\z)//mg;
            $got = sha256_hex(decode_base64($pem));
        }
        print "$s $file $want $got\n";' <"$TMP/consistent.txt" \
        >"$TMP/consistent-sha.txt"
    while IFS=' ' read -r s file want got; do
        if [ "$got" = missing ]; then
            echo "ca_consistent: $d: $file missing" >&2
            bad=1
            continue
        fi
        if [ "$got" != "$want" ]; then
            echo "ca_consistent: $d: $file does not match the index" >&2
            bad=1
        fi
    done <"$TMP/consistent-sha.txt"
    if [ -e "$d/serial" ]; then
        echo "ca_consistent: $d: a serial counter file (serials are random)" >&2
        bad=1
    fi
    # Both modes from one stat (a missing key gives no line: refused too).
    if [ "$mode" = mode ] &&
        [ "$(stat -c %a "$d/root.key" "$d/inter.key" 2>/dev/null)" != $'600\n600' ]; then
        echo "ca_consistent: $d/root.key or $d/inter.key is not mode 0600:" \
            "$(stat -c '%n %a' "$d/root.key" "$d/inter.key" 2>&1 | tr '\n' ' ')" >&2
        bad=1
    fi
    return "$bad"
}

# crash_run COMMAND...: runs COMMAND in a subshell whose stderr is discarded,
# so that bash's "Killed" notice does not clutter the log when a test makes
# clid kill itself (clid's own stderr is in $TMP/err).
# The status is in $RC (137 for SIGKILL).
crash_run() {
    set +e
    (
        "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
        exit $?
    ) 2>/dev/null
    RC=$?
    set -e
}

# osl_verify ROOT CHAIN [openssl verify options]: the leaf (first certificate
# of CHAIN) against ROOT with the rest of CHAIN as untrusted intermediates.
osl_verify() {
    local root=$1 chain=$2
    shift 2
    openssl verify "$@" -CAfile "$root" -untrusted "$chain" "$chain" >"$TMP/osl.out" 2>&1
}
