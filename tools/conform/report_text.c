/*
 * The text report: totals per target, then every disagreement (failures
 * and errors first, then known deviations) with expected, observed, clause
 * and why, then the case x target matrix. Strings from the results are
 * shown with control characters escaped (tool_sanitize) and cut at
 * REP_MAX_SHOWN bytes, so a participant's text cannot drive the terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "conform/report_int.h"
#include "util.h"

#define COLW 10 /* width of a matrix column; longer target names are cut */

/* Prints s sanitized and cut to `max` bytes (at a UTF-8 boundary). */
static void put(FILE *f, const char *s, size_t max)
{
    int cut = 0;
    char *c = rep_shown(s, max, &cut);
    fputs(c ? c : "?", f);
    if (cut)
        fputs("...", f);
    free(c);
}

static void field(FILE *f, const char *label, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return;
    fprintf(f, "    %-9s ", label);
    put(f, s, REP_MAX_SHOWN);
    fputc('\n', f);
}

static void disagreement(FILE *f, const rep_view *v, size_t ci, size_t ti)
{
    const json_t *c = rep_case(v, ci);
    const json_t *r = rep_result(v, ci, ti);
    const json_t *obs = json_object_get(r, "observed");
    fputs("  ", f);
    put(f, rep_case_name(v, ci), 64);
    fputs(" @ ", f);
    put(f, rep_target_name(v, ti), 64);
    fprintf(f, ": %s\n", rep_verdict_name(rep_verdict_of(r)));
    field(f, "title:", rep_str(c, "title"));
    field(f, "clause:", rep_str(c, "clause"));
    char *e = rep_expect_str(json_object_get(c, "expect"));
    char *o = rep_observed_str(obs);
    field(f, "expected:", e);
    field(f, "observed:", o);
    free(e);
    free(o);
    field(f, "why:", rep_str(r, "why"));
    field(f, "detail:", rep_str(obs, "detail"));
}

static size_t list(FILE *f, const rep_view *v, int known)
{
    size_t n = 0;
    for (size_t ci = 0; ci < v->nc; ci++)
        for (size_t ti = 0; ti < v->nt; ti++) {
            const json_t *r = rep_result(v, ci, ti);
            if (r == NULL)
                continue;
            int vd = rep_verdict_of(r);
            if (known ? vd != REP_KNOWN : vd != REP_FAIL && vd != REP_ERROR)
                continue;
            disagreement(f, v, ci, ti);
            n++;
        }
    return n;
}

static const char *cell_word(const json_t *r)
{
    if (r == NULL)
        return "-";
    switch (rep_verdict_of(r)) {
    case REP_PASS: return "pass";
    case REP_FAIL: return "FAIL";
    case REP_KNOWN: return "known";
    case REP_SKIPPED: return "skip";
    case REP_ERROR: return "ERROR";
    }
    return "?";
}

static void header(FILE *f, const rep_view *v)
{
    fputs("clid conformance report\n", f);
    if (v->suite) {
        const char *seed = rep_str(v->suite, "seed");
        const json_t *at = json_object_get(v->suite, "at");
        if (seed[0]) {
            fputs("  seed:    ", f);
            put(f, seed, 128);
            fputc('\n', f);
        }
        if (json_is_integer(at)) {
            char buf[32];
            fprintf(f, "  at:      %s\n", rep_time((long long)json_integer_value(at), buf));
        }
    }
    fprintf(f, "  cases:   %zu\n  targets: %zu\n", v->nc, v->nt);
    fprintf(f, "  result:  %s\n\n",
            v->ok ? "ok: every target met the catalogue (or its recorded expectation)"
                  : "NOT ok: some target failed cases or could not be asked");
}

static void totals(FILE *f, const rep_view *v)
{
    fputs("totals:\n", f);
    fprintf(f, "  %-24s %6s %6s %6s %6s %6s\n", "target", "pass", "fail", "known", "skip", "error");
    for (size_t ti = 0; ti < v->nt; ti++) {
        const char *name = rep_target_name(v, ti);
        char *c = tool_sanitize(name, strlen(name) > 24 ? 24 : strlen(name));
        fprintf(f, "  %-24s %6ld %6ld %6ld %6ld %6ld", c ? c : "?", v->totals[ti][REP_PASS],
                v->totals[ti][REP_FAIL], v->totals[ti][REP_KNOWN], v->totals[ti][REP_SKIPPED],
                v->totals[ti][REP_ERROR]);
        free(c);
        const char *spec = rep_str(json_array_get(v->targets, ti), "spec");
        if (spec[0] && strcmp(spec, name) != 0) {
            fputs("  ", f);
            put(f, spec, 80);
        }
        fputc('\n', f);
    }
    fputc('\n', f);
}

static void matrix(FILE *f, const rep_view *v)
{
    size_t w = 4;
    for (size_t ci = 0; ci < v->nc; ci++)
        if (strlen(rep_case_name(v, ci)) > w)
            w = strlen(rep_case_name(v, ci));
    if (w > 48)
        w = 48;
    fputs("matrix (pass, FAIL, known = known deviation, skip, ERROR, - = not run):\n", f);
    fprintf(f, "  %-*s", (int)w, "case");
    for (size_t ti = 0; ti < v->nt; ti++) {
        const char *name = rep_target_name(v, ti);
        char *c = tool_sanitize(name, strlen(name) > COLW - 1 ? COLW - 1 : strlen(name));
        fprintf(f, " %-*s", ti + 1 < v->nt ? COLW : 0, c ? c : "?");
        free(c);
    }
    fputc('\n', f);
    for (size_t ci = 0; ci < v->nc; ci++) {
        const char *name = rep_case_name(v, ci);
        char *c = tool_sanitize(name, strlen(name) > w ? w : strlen(name));
        fprintf(f, "  %-*s", (int)w, c ? c : "?");
        free(c);
        for (size_t ti = 0; ti < v->nt; ti++)
            fprintf(f, " %-*s", ti + 1 < v->nt ? COLW : 0, cell_word(rep_result(v, ci, ti)));
        fputc('\n', f);
    }
}

int rep_write_text(const rep_view *v, FILE *f)
{
    header(f, v);
    totals(f, v);
    if (v->all[REP_FAIL] + v->all[REP_ERROR] > 0) {
        fprintf(f, "failures (%ld):\n", v->all[REP_FAIL] + v->all[REP_ERROR]);
        list(f, v, 0);
        fputc('\n', f);
    }
    if (v->all[REP_KNOWN] > 0) {
        fprintf(f, "known deviations (%ld): the target's recorded expectation, not the catalogue's\n",
                v->all[REP_KNOWN]);
        list(f, v, 1);
        fputc('\n', f);
    }
    matrix(f, v);
    return ferror(f) ? -1 : 0;
}
