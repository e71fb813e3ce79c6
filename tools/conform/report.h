/*
 * clid conform report: the results of a conformance run (results.json,
 * written by `clid conform run`, CONFORM-SPEC "The results") rendered as a
 * text matrix for the terminal, normalized JSON for machines and one
 * self-contained HTML page (no network: inline CSS, an optional inline
 * script; correct with scripts disabled).
 *
 * Every string in the results may come from a participant (a verifier's
 * detail text, a why built from its answer): the text report escapes
 * control characters, the HTML report escapes every string it prints.
 */
#ifndef CLID_TOOL_CONFORM_REPORT_H
#define CLID_TOOL_CONFORM_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* The results.json schema version this renderer reads. */
#define CONFORM_RESULTS_VERSION 1

/* Where the reports go; NULL members are not written. */
typedef struct conform_report_out {
    FILE *text_fp;    /* the text matrix to this stream ... */
    const char *text; /* ... or to this file ("-": standard output) */
    const char *json; /* the normalized results ("-": standard output) */
    const char *html; /* the HTML page ("-": standard output) */
} conform_report_out;

/*
 * Checks `results` against the schema (version, types, every result naming
 * a listed case and target, each (case, target) once, totals and "ok"
 * agreeing with the verdicts). 0 when valid; else -1 and one line in
 * err[cap] naming the JSON path ("results[3].verdict: ...").
 */
int conform_report_check(const json_t *results, char *err, size_t cap);

/*
 * Writes the reports `out` asks for. Returns a tool exit code:
 * TOOL_EXIT_OK (written; says nothing of the verdicts), TOOL_EXIT_DATAERR
 * (results invalid, nothing written; the error printed), TOOL_EXIT_FAIL (a
 * report could not be written; printed).
 */
int conform_report_write(const json_t *results, const conform_report_out *out);

/* The results' "ok" (1: every target met the catalogue); 0 if absent. */
int conform_report_ok(const json_t *results);

#endif /* CLID_TOOL_CONFORM_REPORT_H */
