/*
 * Private to tools/conform/report*.c: a checked view of a results.json
 * (report_view.c) that the text (report_text.c) and HTML (report_html.c)
 * renderers walk.
 */
#ifndef CLID_TOOL_CONFORM_REPORT_INT_H
#define CLID_TOOL_CONFORM_REPORT_INT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Verdicts, in the order the totals list them. */
enum { REP_PASS, REP_FAIL, REP_KNOWN, REP_SKIPPED, REP_ERROR, REP_NVERDICTS };

/* Bounds on what one report renders (a results.json is at most 64 MiB). */
#define REP_MAX_TARGETS 64
#define REP_MAX_CASES 10000
#define REP_MAX_SHOWN 2048 /* bytes of one string shown; longer ones are cut with "..." */

typedef struct rep_view {
    const json_t *root;
    const json_t *suite, *targets, *cases, *results; /* suite may be NULL */
    size_t nt, nc, nr;
    long (*totals)[REP_NVERDICTS]; /* [nt], counted from the verdicts */
    long all[REP_NVERDICTS];       /* over every target */
    int *cell;                     /* [nc * nt]: index in results, or -1 */
    int ok;
} rep_view;

/* 0, or -1 with a message in err[cap] (conform_report_check). */
int rep_view_build(const json_t *root, rep_view *v, char *err, size_t cap);
void rep_view_free(rep_view *v);

/* "pass", "fail", "known-deviation", "skipped", "error". */
const char *rep_verdict_name(int verdict);
/* REP_* of a checked result object. */
int rep_verdict_of(const json_t *result);
/* 1 for the verdicts shown as disagreements (fail, error, known-deviation). */
int rep_is_disagreement(int verdict);

/* The string member `key` of `o`, when it is a string, else "". */
const char *rep_str(const json_t *o, const char *key);
/* The name of target i / case i. */
const char *rep_target_name(const rep_view *v, size_t i);
const char *rep_case_name(const rep_view *v, size_t i);
const json_t *rep_case(const rep_view *v, size_t i);
const json_t *rep_result(const rep_view *v, size_t ci, size_t ti); /* NULL: none */

/* Malloc'ed one-line descriptions: "TN-Validation-Failed; SIP 438 or 0;
 * reason CLID_ERR_ORIG_MISMATCH" and "TN-Validation-Passed; SIP 0". Raw
 * text (the caller escapes it for its output). NULL only out of memory. */
char *rep_expect_str(const json_t *expect);
char *rep_observed_str(const json_t *observed);
/* "2026-12-02T08:00:00Z" for Unix seconds, into buf[32]. */
const char *rep_time(long long t, char buf[32]);

/* s sanitized (tool_sanitize: control characters and invalid UTF-8 as
 * \xNN) after cutting it to `max` bytes at a UTF-8 boundary; *cut says
 * whether it was cut. Malloc'ed; NULL only out of memory. */
char *rep_shown(const char *s, size_t max, int *cut);

/* The renderers; 0 or -1 (write error). */
int rep_write_text(const rep_view *v, FILE *f);
int rep_write_html(const rep_view *v, FILE *f);

#endif /* CLID_TOOL_CONFORM_REPORT_INT_H */
