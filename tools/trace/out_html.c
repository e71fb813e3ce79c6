/*
 * --html FILE: one self-contained page (inline CSS, inline SVG charts drawn
 * here in C, nothing fetched), readable at a glance: the verdict counts
 * first, then the charts (verdicts over time, reasons, signers), the
 * signers failing most with their typical defect, then the calls (the
 * first TRACE_HTML_ROWS / 2, then only calls that did not pass, up to
 * TRACE_HTML_ROWS; --csv/--json have them all).
 *
 * Every string from the capture (Call-IDs, certificate subjects, SPCs,
 * details) is attacker text: sanitized (tool_sanitize) then HTML-escaped.
 * A Content-Security-Policy allows no fetch at all and only the page's two
 * tiny scripts, by hash (CSP Level 2 §4.2.4), as a second fence; the page
 * is complete without them (they only mark it for the headless test:
 * data-js="ok", and data-js-error from a listener in its own first script,
 * as the conformance report does).
 */
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"
#include "html.h"
#include "util.h"

struct trace_html {
    trace_row **rows;
    size_t n;
};

static const char script_errors[] =
    "addEventListener('error',function(e){document.documentElement.setAttribute("
    "'data-js-error',String(e.message))});";
static const char script_main[] = "document.documentElement.setAttribute('data-js','ok');";

static const char css[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1400px}"
    "h1{margin:.2em 0}h2{margin:1.2em 0 .4em;font-size:1.15em}"
    ".cards{display:flex;gap:1em;flex-wrap:wrap}"
    ".card{border:1px solid #ccc;border-radius:6px;padding:.5em 1em;min-width:9em}"
    ".card .n{font-size:2em;font-weight:bold}.card .p{color:#555}"
    ".passed{color:#176317}.failed{color:#a31515}.unsigned{color:#666}"
    "table{border-collapse:collapse;margin:.4em 0 1em;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:.15em .45em;text-align:left;vertical-align:top}"
    "td.n{text-align:right}tr.failed td{background:#fbe3e3}tr.unsigned td{background:#f2f2f2}"
    ".charts{display:flex;gap:2em;flex-wrap:wrap}"
    "svg text{font:11px sans-serif}.mono{font-family:monospace;word-break:break-all}";

trace_html *trace_html_new(void)
{
    trace_html *h = calloc(1, sizeof *h);
    if (h != NULL && (h->rows = calloc(TRACE_HTML_ROWS, sizeof *h->rows)) == NULL) {
        free(h);
        h = NULL;
    }
    return h;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void trace_html_row(trace_html *h, const trace_row *r)
{
    /* The first half of the table in order; the rest only calls that did not
     * pass, so a large capture's failures are still in the report. */
    if (h == NULL || h->n == TRACE_HTML_ROWS ||
        (h->n >= TRACE_HTML_ROWS / 2 && r->verstat == CLID_VERSTAT_PASSED))
        return;
    trace_row *c = malloc(sizeof *c);
    if (c == NULL)
        return;
    *c = *r;
    c->msg = NULL;
    c->next = c->call_next = NULL;
    c->call = NULL;
    c->spc = dup_or_null(r->spc);
    c->subject = dup_or_null(r->subject);
    c->issuer = dup_or_null(r->issuer);
    c->x5u = dup_or_null(r->x5u);
    c->detail = dup_or_null(r->detail);
    h->rows[h->n++] = c;
}

void trace_html_free(trace_html *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->n; i++)
        trace_row_free(h->rows[i]);
    free(h->rows);
    free(h);
}

/* s sanitized and HTML-escaped, cut at max bytes (with an ellipsis). */
static void esc(FILE *f, const char *s, size_t max)
{
    if (s == NULL)
        s = "";
    size_t len = strlen(s);
    int cut = len > max;
    char *c = tool_sanitize(s, cut ? max : len);
    tool_html_put(f, c ? c : "?");
    if (cut)
        fputs("&hellip;", f);
    free(c);
}

static double pct(uint64_t n, uint64_t d)
{
    return d ? 100.0 * (double)n / (double)d : 0.0;
}

static const char *const colour[3] = {"#999999", "#2e8b2e", "#c0392b"}; /* by clid_verstat */

static void cards(FILE *f, const trace_agg *a)
{
    fputs("<div class=\"cards\" id=\"summary\">\n", f);
    fprintf(f, "<div class=\"card\"><div class=\"n\" id=\"n-calls\">%llu</div>calls</div>\n",
            (unsigned long long)a->calls);
    static const clid_verstat order[] = {CLID_VERSTAT_PASSED, CLID_VERSTAT_FAILED,
                                         CLID_VERSTAT_NO_VALIDATION};
    for (int i = 0; i < 3; i++) {
        const char *name = trace_verstat_short(order[i]);
        fprintf(f,
                "<div class=\"card %s\"><div class=\"n\" id=\"n-%s\">%llu</div>%s "
                "<span class=\"p\">%.1f%%</span></div>\n",
                name, name, (unsigned long long)a->by_verstat[order[i]], name,
                pct(a->by_verstat[order[i]], a->calls));
    }
    fputs("</div>\n", f);
}

/* Stacked bars of verdicts per time bucket. */
static void chart_time(FILE *f, const trace_agg *a)
{
    size_t last = 0;
    uint64_t max = 1;
    for (size_t i = 0; i < TRACE_TIME_BUCKETS; i++) {
        uint64_t t = a->buckets[i][0] + a->buckets[i][1] + a->buckets[i][2];
        if (t) {
            last = i + 1;
            if (t > max)
                max = t;
        }
    }
    const int W = 600, H = 180, L = 40, B = 20;
    double bw = last ? (double)(W - L) / (double)last : 0;
    fprintf(f,
            "<figure><figcaption>Verdicts over time (%lld s per bar)</figcaption>"
            "<svg id=\"chart-time\" width=\"%d\" height=\"%d\" role=\"img\" "
            "xmlns=\"http://www.w3.org/2000/svg\">\n",
            (long long)a->bucket_s, W, H + B);
    fprintf(f, "<text x=\"0\" y=\"12\">%llu</text><text x=\"0\" y=\"%d\">0</text>\n",
            (unsigned long long)max, H);
    for (size_t i = 0; i < last; i++) {
        double y = H;
        static const int stack[] = {CLID_VERSTAT_PASSED, CLID_VERSTAT_FAILED,
                                    CLID_VERSTAT_NO_VALIDATION};
        for (int k = 0; k < 3; k++) {
            uint64_t n = a->buckets[i][stack[k]];
            if (n == 0)
                continue;
            double h = (double)(H - 10) * (double)n / (double)max;
            y -= h;
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                    "<title>%s %llu</title></rect>\n",
                    L + bw * (double)i, y, bw > 2 ? bw - 1 : bw, h, colour[stack[k]],
                    trace_verstat_short((clid_verstat)stack[k]), (unsigned long long)n);
        }
    }
    if (a->have_time) {
        char t1[32], t2[32];
        trace_fmt_time(a->t0, 0, t1);
        trace_fmt_time(a->t0 + a->bucket_s * (int64_t)last, 0, t2);
        fprintf(f, "<text x=\"%d\" y=\"%d\">%.19s</text>", L, H + 15, t1);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.19s</text>\n", W, H + 15, t2);
    }
    fputs("</svg></figure>\n", f);
}

/* Horizontal bars: label, then one or two stacked values. */
static void hbar(FILE *f, int row, const char *label, uint64_t v1, const char *c1, uint64_t v2,
                 const char *c2, uint64_t max)
{
    const int L = 230, W = 330, RH = 18;
    int y = row * RH + 4;
    fprintf(f, "<text x=\"0\" y=\"%d\">", y + 12);
    esc(f, label, 34);
    fputs("</text>", f);
    double w1 = (double)W * (double)v1 / (double)max, w2 = (double)W * (double)v2 / (double)max;
    if (v1)
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\"/>", L, y, w1,
                c1);
    if (v2)
        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\"/>", L + w1,
                y, w2, c2);
    fprintf(f, "<text x=\"%.1f\" y=\"%d\">%llu</text>\n", L + w1 + w2 + 4, y + 12,
            (unsigned long long)(v1 + v2));
}

static void chart_reasons(FILE *f, const trace_agg *a)
{
    size_t n = a->nreasons < 12 ? a->nreasons : 12;
    uint64_t max = n ? a->reasons[0].n : 1;
    fprintf(f,
            "<figure><figcaption>Reasons</figcaption><svg id=\"chart-reasons\" width=\"620\" "
            "height=\"%zu\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">\n",
            n * 18 + 8);
    for (size_t i = 0; i < n; i++) {
        clid_err e = a->reasons[i].reason;
        hbar(f, (int)i, trace_reason_short(e), a->reasons[i].n,
             colour[clid_err_verstat(e)], 0, "", max ? max : 1);
    }
    fputs("</svg></figure>\n", f);
}

static void chart_signers(FILE *f, const trace_agg *a)
{
    size_t n = a->nsigners < 12 ? a->nsigners : 12;
    uint64_t max = n ? a->signers[0].total : 1;
    fprintf(f,
            "<figure><figcaption>Signers (passed / failed)</figcaption><svg id=\"chart-signers\" "
            "width=\"620\" height=\"%zu\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">\n",
            n * 18 + 8);
    for (size_t i = 0; i < n; i++) {
        const trace_signer *s = &a->signers[i];
        char label[96];
        snprintf(label, sizeof label, "%s %s", s->spc[0] ? s->spc : "-",
                 s->subject[0] ? s->subject : s->x5u[0] ? s->x5u : "(no certificate)");
        hbar(f, (int)i, label, s->passed, colour[CLID_VERSTAT_PASSED], s->failed,
             colour[CLID_VERSTAT_FAILED], max ? max : 1);
    }
    fputs("</svg></figure>\n", f);
}

static void worst_table(FILE *f, const trace_agg *a)
{
    size_t worst[20];
    size_t nw = trace_agg_worst(a, worst, 20);
    fputs("<h2>Signers failing most</h2>\n", f);
    if (nw == 0) {
        fputs("<p id=\"worst-none\">No signer failed.</p>\n", f);
        return;
    }
    fputs("<table id=\"worst\"><tr><th>failed</th><th>calls</th><th>SPC</th><th>subject</th>"
          "<th>typical defect</th></tr>\n",
          f);
    for (size_t i = 0; i < nw; i++) {
        const trace_signer *s = &a->signers[worst[i]];
        fprintf(f, "<tr><td class=\"n\">%llu</td><td class=\"n\">%llu</td><td class=\"mono\">",
                (unsigned long long)s->failed, (unsigned long long)s->total);
        esc(f, s->spc, 64);
        fputs("</td><td class=\"mono\">", f);
        if (s->subject[0] || !s->x5u[0])
            esc(f, s->subject[0] ? s->subject : "(no certificate)", 200);
        else {
            fputs("(certificate not had) x5u ", f);
            esc(f, s->x5u, 200);
        }
        fputs("</td><td>", f);
        if (s->nreasons)
            fprintf(f, "%s (%llu): %s", trace_reason_short(s->reasons[0].reason),
                    (unsigned long long)s->reasons[0].n, clid_err_str(s->reasons[0].reason));
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void calls_table(FILE *f, const trace_html *h, const trace_agg *a)
{
    fprintf(f, "<h2>Calls (%zu shown of %llu", h->n, (unsigned long long)a->calls);
    if ((unsigned long long)h->n < (unsigned long long)a->calls)
        fprintf(f, ": the first %d, then only calls that did not pass; --csv has them all",
                TRACE_HTML_ROWS / 2);
    fputs(")</h2>\n", f);
    fputs("<table id=\"calls\"><tr><th>time (UTC)</th><th>Call-ID</th><th>orig</th><th>dest</th>"
          "<th>attest</th><th>SPC</th><th>signer</th><th>verstat</th><th>reason</th>"
          "<th>final</th><th>notes</th></tr>\n",
          f);
    for (size_t i = 0; i < h->n; i++) {
        const trace_row *r = h->rows[i];
        char t[32];
        trace_fmt_time(r->ts_sec, r->ts_usec, t);
        const char *v = trace_verstat_short(r->verstat);
        fprintf(f, "<tr class=\"%s\" data-packet=\"%llu\"><td>%s</td><td class=\"mono\">", v,
                (unsigned long long)r->packet, t);
        esc(f, r->callid, 80);
        fputs("</td><td>", f);
        esc(f, r->orig, 16);
        fputs("</td><td>", f);
        esc(f, r->dest, 16);
        fprintf(f, "</td><td>%c</td><td class=\"mono\">", r->attest ? r->attest : '-');
        esc(f, r->spc, 32);
        fputs("</td><td class=\"mono\">", f);
        esc(f, r->subject, 120);
        fprintf(f, "</td><td>%s</td><td title=\"", v);
        esc(f, r->detail, 300);
        fprintf(f, "\">%s</td><td>", trace_reason_short(r->reason));
        if (r->final_status)
            fprintf(f, "%d", r->final_status);
        fputs("</td><td>", f);
        if (r->retransmissions)
            fprintf(f, "retransmitted x%u ", r->retransmissions);
        if (r->flags & TRACE_ROW_HOP)
            fputs("hop ", f);
        if (r->flags & TRACE_ROW_REINVITE)
            fputs("re-INVITE ", f);
        if (r->forks)
            fprintf(f, "%u forks ", r->forks + 1);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

int trace_html_write(trace_html *h, const char *path, const trace_agg *a,
                     const trace_run_info *in)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        tool_error("trace: %s: cannot write the HTML report", path);
        return -1;
    }
    char h1[64], h2[64];
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", f);
    if (tool_csp_script_hash(script_errors, h1) == 0 &&
        tool_csp_script_hash(script_main, h2) == 0)
        fprintf(f,
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "style-src 'unsafe-inline'; script-src '%s' '%s'\">\n",
                h1, h2);
    fprintf(f, "<title>clid trace: %llu calls, %llu failed</title>\n",
            (unsigned long long)a->calls,
            (unsigned long long)a->by_verstat[CLID_VERSTAT_FAILED]);
    fprintf(f, "<style>%s</style>\n<script>%s</script>\n</head>\n<body>\n", css, script_errors);
    fputs("<h1>clid trace report</h1>\n<p>", f);
    for (size_t i = 0; i < in->ninputs; i++) {
        fputs(i ? ", " : (in->live ? "interface " : ""), f);
        fputs("<span class=\"mono\">", f);
        esc(f, in->inputs[i], 200);
        fputs("</span>", f);
    }
    if (a->have_time) {
        char t1[32], t2[32];
        trace_fmt_time(a->t_first, 0, t1);
        trace_fmt_time(a->t_last, 0, t2);
        fprintf(f, " &middot; %.19s .. %.19s UTC", t1, t2);
    }
    fputs("</p>\n", f);
    cards(f, a);
    fputs("<div class=\"charts\">\n", f);
    chart_time(f, a);
    chart_reasons(f, a);
    chart_signers(f, a);
    fputs("</div>\n", f);
    worst_table(f, a);
    fputs("<h2>Reasons</h2>\n<table id=\"reasons\"><tr><th>calls</th><th>reason</th>"
          "<th>meaning</th></tr>\n",
          f);
    for (size_t i = 0; i < a->nreasons; i++)
        fprintf(f, "<tr><td class=\"n\">%llu</td><td>%s</td><td>%s</td></tr>\n",
                (unsigned long long)a->reasons[i].n, clid_err_name(a->reasons[i].reason),
                clid_err_str(a->reasons[i].reason));
    fputs("</table>\n", f);
    calls_table(f, h, a);
    fprintf(f,
            "<h2>Input</h2>\n<table id=\"input\"><tr><th>packets</th><td>%llu</td></tr>"
            "<tr><th>SIP messages</th><td>%llu</td></tr><tr><th>not SIP</th><td>%llu</td></tr>"
            "<tr><th>capture warnings</th><td>%llu</td></tr>"
            "<tr><th>retransmissions folded</th><td>%llu</td></tr>"
            "<tr><th>hops</th><td>%llu</td></tr><tr><th>re-INVITEs</th><td>%llu</td></tr>"
            "<tr><th>responses without request</th><td>%llu</td></tr></table>\n",
            (unsigned long long)in->packets, (unsigned long long)in->messages,
            (unsigned long long)in->corr.not_sip, (unsigned long long)in->warnings,
            (unsigned long long)a->retransmissions, (unsigned long long)a->hops,
            (unsigned long long)a->reinvites, (unsigned long long)in->corr.orphan_responses);
    fprintf(f, "<script>%s</script>\n</body>\n</html>\n", script_main);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        tool_error("trace: %s: cannot write the HTML report", path);
        return -1;
    }
    return 0;
}
