/*
 * The HTML report: one self-contained page (no network: inline CSS and
 * scripts, nothing fetched) with the totals per target, the disagreements
 * (failures and errors first, then known deviations) each with expected,
 * observed, clause and why, and the case x target matrix.
 *
 * The page is complete without JavaScript; its two small scripts only add
 * a "show only disagreements" filter and mark the page (data-js="ok" on
 * <html>; an error listener, in its own first script so it also sees a
 * syntax error of the second, sets data-js-error) for the headless test.
 * Every string from the results is HTML-escaped (they come from
 * participants); a Content-Security-Policy allows no fetch at all and only
 * these two scripts, by hash, as a second fence.
 */
#include <stdlib.h>
#include <string.h>

#include "conform/report_int.h"
#include "html.h"
#include "util.h"

static const char script_errors[] =
    "addEventListener('error',function(e){document.documentElement.setAttribute("
    "'data-js-error',String(e.message))});";

static const char script_main[] =
    "(function(){var box=document.getElementById('only-dis-box'),"
    "cb=document.getElementById('only-dis');box.hidden=false;"
    "cb.addEventListener('change',function(){document.body.classList.toggle('only-dis',"
    "cb.checked)});document.documentElement.setAttribute('data-js','ok');})();";

static const char css[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}"
    "td.n{text-align:right}"
    ".pass{background:#d7f5d7}.fail{background:#f8c9c9;font-weight:bold}"
    ".known-deviation{background:#fbe7b0}.skipped{background:#e8e8e8;color:#666}"
    ".error{background:#e3ccf5;font-weight:bold}.none{color:#999}"
    ".ok{color:#176317}.notok{color:#a31515}"
    "section.dis{border-left:4px solid #a31515;padding:.1em .8em;margin:.8em 0}"
    "section.dis-known-deviation{border-color:#c99a00}"
    "section.dis th{width:7em;background:#f4f4f4}"
    "code,.mono{font-family:monospace;white-space:pre-wrap;word-break:break-all}"
    "body.only-dis tr.agree{display:none}";

/* Writes s HTML-escaped: control characters and invalid UTF-8 first become
 * \xNN (tool_sanitize), then & < > " ' become entities; cut at `max`. */
static void esc(FILE *f, const char *s, size_t max)
{
    int cut = 0;
    char *c = rep_shown(s, max, &cut);
    tool_html_put(f, c ? c : "?");
    if (cut)
        fputs("&hellip;", f);
    free(c);
}

static void head(FILE *f, const rep_view *v)
{
    char h1[64], h2[64];
    int hashed = tool_csp_script_hash(script_errors, h1) == 0 &&
                 tool_csp_script_hash(script_main, h2) == 0;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", f);
    if (hashed)
        fprintf(f,
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "style-src 'unsafe-inline'; script-src '%s' '%s'\">\n",
                h1, h2);
    fprintf(f, "<title>clid conformance report: %s</title>\n", v->ok ? "ok" : "NOT ok");
    fprintf(f, "<style>%s</style>\n<script>%s</script>\n</head>\n<body>\n", css, script_errors);
}

static void summary(FILE *f, const rep_view *v)
{
    fputs("<h1>clid conformance report</h1>\n", f);
    fprintf(f, "<p id=\"overall\" data-ok=\"%d\" class=\"%s\"><strong>%s</strong></p>\n", v->ok,
            v->ok ? "ok" : "notok",
            v->ok ? "ok: every target met the catalogue (or its recorded expectation)"
                  : "NOT ok: some target failed cases or could not be asked");
    fputs("<table id=\"suite\">\n", f);
    if (v->suite) {
        const char *keys[] = {"seed", "base_url", "catalogue"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            const char *s = rep_str(v->suite, keys[i]);
            if (s[0] == '\0')
                continue;
            fprintf(f, "<tr><th>%s</th><td class=\"mono\">", keys[i]);
            esc(f, s, 512);
            fputs("</td></tr>\n", f);
        }
        const json_t *at = json_object_get(v->suite, "at");
        if (json_is_integer(at)) {
            char buf[32];
            fprintf(f, "<tr><th>at</th><td>%s</td></tr>\n",
                    rep_time((long long)json_integer_value(at), buf));
        }
    }
    fprintf(f, "<tr><th>cases</th><td>%zu</td></tr>\n<tr><th>targets</th><td>%zu</td></tr>\n",
            v->nc, v->nt);
    fputs("</table>\n", f);
}

static void totals(FILE *f, const rep_view *v)
{
    fputs("<h2>Totals per target</h2>\n<table id=\"totals\">\n<tr><th>target</th><th>spec</th>",
          f);
    for (int k = 0; k < REP_NVERDICTS; k++)
        fprintf(f, "<th>%s</th>", rep_verdict_name(k));
    fputs("<th>met</th></tr>\n", f);
    for (size_t ti = 0; ti < v->nt; ti++) {
        const json_t *t = json_array_get(v->targets, ti);
        int met = v->totals[ti][REP_FAIL] == 0 && v->totals[ti][REP_ERROR] == 0;
        fputs("<tr data-target=\"", f);
        esc(f, rep_target_name(v, ti), 256);
        fputs("\"><td>", f);
        esc(f, rep_target_name(v, ti), 256);
        fputs("</td><td class=\"mono\">", f);
        esc(f, rep_str(t, "spec"), 512);
        const char *ef = rep_str(t, "expect_file");
        if (ef[0]) {
            fputs("<br>expectation: ", f);
            esc(f, ef, 512);
        }
        fputs("</td>", f);
        for (int k = 0; k < REP_NVERDICTS; k++)
            fprintf(f, "<td class=\"n%s%s\" data-verdict=\"%s\">%ld</td>",
                    v->totals[ti][k] && k != REP_PASS ? " " : "",
                    v->totals[ti][k] && k != REP_PASS ? rep_verdict_name(k) : "",
                    rep_verdict_name(k), v->totals[ti][k]);
        fprintf(f, "<td class=\"%s\">%s</td></tr>\n", met ? "ok" : "notok", met ? "yes" : "NO");
    }
    fputs("</table>\n", f);
}

static void row(FILE *f, const char *label, const char *s, int mono)
{
    if (s == NULL || s[0] == '\0')
        return;
    fprintf(f, "<tr><th>%s</th><td%s>", label, mono ? " class=\"mono\"" : "");
    esc(f, s, REP_MAX_SHOWN);
    fputs("</td></tr>\n", f);
}

static void disagreement(FILE *f, const rep_view *v, size_t ci, size_t ti)
{
    const json_t *c = rep_case(v, ci);
    const json_t *r = rep_result(v, ci, ti);
    const json_t *obs = json_object_get(r, "observed");
    const char *vd = rep_verdict_name(rep_verdict_of(r));
    fprintf(f, "<section class=\"dis dis-%s\" id=\"d-%zu-%zu\">\n<h3>", vd, ci, ti);
    esc(f, rep_case_name(v, ci), 128);
    fputs(" @ ", f);
    esc(f, rep_target_name(v, ti), 128);
    fprintf(f, ": <span class=\"%s\">%s</span></h3>\n<table>\n", vd, vd);
    row(f, "title", rep_str(c, "title"), 0);
    row(f, "clause", rep_str(c, "clause"), 0);
    char *e = rep_expect_str(json_object_get(c, "expect"));
    char *o = rep_observed_str(obs);
    row(f, "expected", e, 0);
    row(f, "observed", o, 0);
    free(e);
    free(o);
    row(f, "why", rep_str(r, "why"), 0);
    row(f, "detail", rep_str(obs, "detail"), 1);
    fputs("</table>\n</section>\n", f);
}

static void disagreements(FILE *f, const rep_view *v)
{
    long nfail = v->all[REP_FAIL] + v->all[REP_ERROR];
    fprintf(f, "<h2 id=\"failures\">Failures (%ld)</h2>\n", nfail);
    if (nfail == 0)
        fputs("<p>None.</p>\n", f);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            fprintf(f, "<h2 id=\"known\">Known deviations (%ld)</h2>\n", v->all[REP_KNOWN]);
            fputs("<p>The target does not meet the catalogue here, as its recorded expectation "
                  "says.</p>\n",
                  f);
        }
        for (size_t ci = 0; ci < v->nc; ci++)
            for (size_t ti = 0; ti < v->nt; ti++) {
                const json_t *r = rep_result(v, ci, ti);
                int vd = r ? rep_verdict_of(r) : -1;
                if (pass == 0 ? (vd == REP_FAIL || vd == REP_ERROR) : vd == REP_KNOWN)
                    disagreement(f, v, ci, ti);
            }
    }
}

static void matrix(FILE *f, const rep_view *v)
{
    fputs("<h2>Matrix</h2>\n<label id=\"only-dis-box\" hidden><input type=\"checkbox\" "
          "id=\"only-dis\"> show only cases with a disagreement</label>\n"
          "<table id=\"matrix\">\n<tr><th>case</th><th>group</th><th>clause</th>",
          f);
    for (size_t ti = 0; ti < v->nt; ti++) {
        fputs("<th>", f);
        esc(f, rep_target_name(v, ti), 64);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t ci = 0; ci < v->nc; ci++) {
        const json_t *c = rep_case(v, ci);
        int agree = 1;
        for (size_t ti = 0; ti < v->nt; ti++) {
            const json_t *r = rep_result(v, ci, ti);
            if (r && rep_is_disagreement(rep_verdict_of(r)))
                agree = 0;
        }
        fprintf(f, "<tr%s><td title=\"", agree ? " class=\"agree\"" : "");
        esc(f, rep_str(c, "title"), 512);
        fputs("\">", f);
        esc(f, rep_case_name(v, ci), 128);
        fputs("</td><td>", f);
        esc(f, rep_str(c, "group"), 64);
        fputs("</td><td>", f);
        esc(f, rep_str(c, "clause"), 256);
        fputs("</td>", f);
        for (size_t ti = 0; ti < v->nt; ti++) {
            const json_t *r = rep_result(v, ci, ti);
            if (r == NULL) {
                fputs("<td class=\"none\">-</td>", f);
                continue;
            }
            int vd = rep_verdict_of(r);
            fprintf(f, "<td class=\"%s\" title=\"", rep_verdict_name(vd));
            esc(f, rep_str(r, "why"), 512);
            fputs("\">", f);
            if (rep_is_disagreement(vd))
                fprintf(f, "<a href=\"#d-%zu-%zu\">%s</a>", ci, ti, rep_verdict_name(vd));
            else
                fputs(rep_verdict_name(vd), f);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

int rep_write_html(const rep_view *v, FILE *f)
{
    head(f, v);
    summary(f, v);
    totals(f, v);
    disagreements(f, v);
    matrix(f, v);
    fprintf(f, "<p><small>Written by clid %s.</small></p>\n<script>%s</script>\n</body>\n</html>\n",
            clid_version(), script_main);
    return ferror(f) ? -1 : 0;
}
