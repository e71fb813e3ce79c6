/*
 * The terminal output: one line per row (a fixed-width table, long fields
 * cut, every string from the capture passed through tool_sanitize so a
 * hostile Call-ID or certificate subject cannot drive the terminal), then
 * the summary, numbers that matter first: verdict counts, reasons, the
 * signers failing most with their typical defect, then the input figures.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace/trace.h"
#include "util.h"

const char *trace_verstat_short(clid_verstat v)
{
    switch (v) {
    case CLID_VERSTAT_PASSED: return "passed";
    case CLID_VERSTAT_FAILED: return "failed";
    case CLID_VERSTAT_NO_VALIDATION: break;
    }
    return "unsigned";
}

const char *trace_reason_short(clid_err e)
{
    const char *n = clid_err_name(e);
    if (strncmp(n, "CLID_ERR_", 9) == 0)
        return n + 9;
    if (strncmp(n, "CLID_", 5) == 0)
        return n + 5;
    return n;
}

void trace_fmt_time(int64_t sec, int32_t usec, char out[32])
{
    time_t t = (time_t)sec;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL) {
        snprintf(out, 32, "%lld", (long long)sec);
        return;
    }
    char d[24];
    strftime(d, sizeof d, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03d", d, (int)(usec / 1000) % 1000);
}

/* s sanitized, cut at `w` display bytes with a trailing '~' when cut. */
static void cell(FILE *f, const char *s, int w)
{
    char *c = tool_sanitize(s ? s : "", strlen(s ? s : ""));
    const char *p = c ? c : "?";
    int n = (int)strlen(p);
    if (n > w)
        fprintf(f, "%.*s~ ", w - 1, p);
    else
        fprintf(f, "%-*s ", w, p);
    free(c);
}

/* The last cell of a line: sanitized, not padded. */
static void last_cell(FILE *f, const char *s, size_t max)
{
    size_t n = strlen(s);
    char *c = tool_sanitize(s, n > max ? max : n);
    fputs(c ? c : "?", f);
    if (n > max)
        fputc('~', f);
    free(c);
}

void trace_text_header(FILE *f)
{
    fprintf(f, "%-23s %-24s %-15s %-15s %-2s %-8s %-8s %-22s %-5s %s\n", "TIME (UTC)", "CALL-ID",
            "ORIG", "DEST", "AT", "SPC", "VERDICT", "REASON", "FINAL", "SIGNER / NOTES");
}

void trace_text_row(FILE *f, const trace_row *r)
{
    char t[32];
    trace_fmt_time(r->ts_sec, r->ts_usec, t);
    fprintf(f, "%-23s ", t);
    cell(f, r->callid, 24);
    cell(f, r->orig, 15);
    cell(f, r->dest, 15);
    char at[2] = {r->attest ? r->attest : '-', 0};
    cell(f, at, 2);
    cell(f, r->spc ? r->spc : "-", 8);
    cell(f, trace_verstat_short(r->verstat), 8);
    cell(f, trace_reason_short(r->reason), 22);
    if (r->final_status)
        fprintf(f, "%-5d ", r->final_status);
    else
        fprintf(f, "%-5s ", "-");
    if (r->subject != NULL)
        last_cell(f, r->subject, 200);
    else if (r->x5u != NULL) { /* no certificate had: where it was to come from */
        fputs("x5u ", f);
        last_cell(f, r->x5u, 200);
    } else
        fputc('-', f);
    if (strcmp(r->method, "INVITE") != 0)
        fprintf(f, " [%s]", r->method);
    if (r->retransmissions)
        fprintf(f, " [retransmitted x%u]", r->retransmissions);
    if (r->flags & TRACE_ROW_HOP)
        fputs(" [hop]", f);
    if (r->flags & TRACE_ROW_REINVITE)
        fputs(" [re-INVITE]", f);
    if (r->forks)
        fprintf(f, " [forks %u]", r->forks + 1);
    if (r->identities > 1)
        fprintf(f, " [%u Identity headers]", r->identities);
    fputc('\n', f);
}

/* The subject, or the x5u URL of calls whose certificate was never had. */
static const char *signer_name(const trace_signer *s)
{
    return s->subject[0] ? s->subject : s->x5u[0] ? s->x5u : "(no certificate)";
}

static double pct(uint64_t n, uint64_t d)
{
    return d ? 100.0 * (double)n / (double)d : 0.0;
}

void trace_text_summary(FILE *f, const trace_agg *a, const trace_run_info *in)
{
    fputs("\n== clid trace summary ==\n", f);
    fprintf(f, "calls      %10llu\n", (unsigned long long)a->calls);
    static const clid_verstat order[] = {CLID_VERSTAT_PASSED, CLID_VERSTAT_FAILED,
                                         CLID_VERSTAT_NO_VALIDATION};
    for (int i = 0; i < 3; i++)
        fprintf(f, "  %-8s %10llu  %5.1f%%\n", trace_verstat_short(order[i]),
                (unsigned long long)a->by_verstat[order[i]],
                pct(a->by_verstat[order[i]], a->calls));
    fprintf(f, "final responses: 1xx-only/none %llu, 2xx %llu, 3xx %llu, 4xx %llu, 5xx %llu, "
               "6xx %llu\n",
            (unsigned long long)(a->status_class[0] + a->status_class[1]),
            (unsigned long long)a->status_class[2], (unsigned long long)a->status_class[3],
            (unsigned long long)a->status_class[4], (unsigned long long)a->status_class[5],
            (unsigned long long)a->status_class[6]);
    fputs("reasons:\n", f);
    for (size_t i = 0; i < a->nreasons; i++)
        fprintf(f, "  %10llu  %-30s %s\n", (unsigned long long)a->reasons[i].n,
                trace_reason_short(a->reasons[i].reason), clid_err_str(a->reasons[i].reason));
    size_t worst[10];
    size_t nw = trace_agg_worst(a, worst, 10);
    if (nw > 0) {
        fputs("signers failing most (failed/calls, SPC, subject: typical defect):\n", f);
        for (size_t i = 0; i < nw; i++) {
            const trace_signer *s = &a->signers[worst[i]];
            fprintf(f, "  %6llu/%-6llu ", (unsigned long long)s->failed,
                    (unsigned long long)s->total);
            cell(f, s->spc[0] ? s->spc : "-", 8);
            last_cell(f, signer_name(s), 200);
            if (s->nreasons)
                fprintf(f, ": %s (%llu)", trace_reason_short(s->reasons[0].reason),
                        (unsigned long long)s->reasons[0].n);
            fputc('\n', f);
        }
    }
    if (a->nsigners > 0) {
        fprintf(f, "signers (%zu; most calls first):\n", a->nsigners);
        for (size_t i = 0; i < a->nsigners && i < 20; i++) {
            const trace_signer *s = &a->signers[i];
            fprintf(f, "  %8llu calls %8llu passed %8llu failed  ", (unsigned long long)s->total,
                    (unsigned long long)s->passed, (unsigned long long)s->failed);
            cell(f, s->spc[0] ? s->spc : "-", 8);
            last_cell(f, signer_name(s), 200);
            fputc('\n', f);
        }
        if (a->nsigners > 20)
            fprintf(f, "  ... %zu more (--json or --html lists them all)\n", a->nsigners - 20);
    }
    fprintf(f,
            "legs: retransmissions folded %llu, hops %llu, re-INVITEs %llu, no final response "
            "%llu, responses without request %llu\n",
            (unsigned long long)a->retransmissions, (unsigned long long)a->hops,
            (unsigned long long)a->reinvites, (unsigned long long)a->no_final,
            (unsigned long long)in->corr.orphan_responses);
    fprintf(f,
            "input: %zu %s, packets %llu, SIP messages %llu, not SIP %llu, warnings %llu, "
            "dropped by limits %llu\n",
            in->ninputs, in->live ? "interface" : in->ninputs == 1 ? "file" : "files",
            (unsigned long long)in->packets, (unsigned long long)in->messages,
            (unsigned long long)in->corr.not_sip, (unsigned long long)in->warnings,
            (unsigned long long)in->dropped);
    if (a->have_time) {
        char t1[32], t2[32];
        trace_fmt_time(a->t_first, 0, t1);
        trace_fmt_time(a->t_last, 0, t2);
        fprintf(f, "capture time: %.19s .. %.19s UTC\n", t1, t2);
    }
    fprintf(f, "run: %.2f s, %d verification threads, %.0f calls/s%s\n", in->seconds, in->threads,
            in->seconds > 0 ? (double)a->calls / in->seconds : 0.0,
            in->interrupted ? " (stopped by signal)" : "");
}
