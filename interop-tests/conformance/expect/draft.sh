#!/usr/bin/env bash
# Drafts a target's expectation file from a run, keeping the whys of the
# current file:
#
#   draft.sh RESULTS.json TARGET [CURRENT.json] > NEW.json
#
# Every case the target failed or deviated on in RESULTS.json becomes a
# deviation with the observed verstat and SIP status; its why comes from
# CURRENT.json when that file records the same case, else it is
# "TODO: why" (write one line: what the verifier does and the clause).
# Review the diff: a deviation that appears or disappears is a change in
# the verifier, its configuration or the catalogue.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 RESULTS.json TARGET [CURRENT.json]" >&2; exit 64; }
cur=${3:-/dev/null}
jq --arg t "$2" --slurpfile cur <(cat "$cur" 2>/dev/null || echo '{}') '
  ($cur[0].deviations // {}) as $old
  | {target: $t,
     about: ($cur[0].about // "recorded from an observed run"),
     deviations: ([.results[]
        | select(.target == $t and (.verdict == "fail" or .verdict == "known-deviation"))
        | {key: .case,
           value: {verstat: .observed.verstat, sip: .observed.sip,
                   why: ($old[.case].why // "TODO: why")}}]
        | from_entries)}' "$1"
