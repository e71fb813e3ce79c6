/*
 * --json: one document {"calls": [...], "summary": {...}}, streamed: each
 * row is written when it leaves the correlator, so a capture of millions of
 * calls never sits in memory (jansson for each object, the array brackets
 * by hand).
 * --csv: the calls, RFC 4180 (CRLF, fields quoted when they hold a quote,
 * comma, CR or LF), and safe to open in a spreadsheet: a cell beginning
 * with = + - @ TAB or CR (a formula to Excel/LibreOffice; OWASP "CSV
 * Injection") gets a leading apostrophe. Capture strings are attacker text.
 */
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"
#include "util.h"

static json_t *str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? tool_json_string(s) : json_null();
}

static json_t *row_json(const trace_row *r)
{
    json_t *o = json_object();
    char t[32];
    trace_fmt_time(r->ts_sec, r->ts_usec, t);
    char at[2] = {r->attest, 0};
    int bad = 0;
    bad |= tool_json_put(o, "packet", json_integer((json_int_t)r->packet));
    bad |= tool_json_put(o, "time", json_string(t));
    bad |= tool_json_put(o, "ts", json_real((double)r->ts_sec + r->ts_usec / 1e6));
    bad |= tool_json_put(o, "file", str_or_null(r->file));
    bad |= tool_json_put(o, "src", str_or_null(r->src));
    bad |= tool_json_put(o, "sport", json_integer(r->sport));
    bad |= tool_json_put(o, "dst", str_or_null(r->dst));
    bad |= tool_json_put(o, "dport", json_integer(r->dport));
    bad |= tool_json_put(o, "call_id", tool_json_string(r->callid));
    bad |= tool_json_put(o, "method", tool_json_string(r->method));
    bad |= tool_json_put(o, "cseq", json_integer((json_int_t)r->cseq));
    bad |= tool_json_put(o, "branch", str_or_null(r->branch));
    bad |= tool_json_put(o, "orig", str_or_null(r->orig));
    bad |= tool_json_put(o, "dest", str_or_null(r->dest));
    bad |= tool_json_put(o, "attest", r->attest ? json_string(at) : json_null());
    bad |= tool_json_put(o, "verstat", json_string(clid_verstat_str(r->verstat)));
    bad |= tool_json_put(o, "verdict", json_string(trace_verstat_short(r->verstat)));
    bad |= tool_json_put(o, "reason", json_string(clid_err_name(r->reason)));
    bad |= tool_json_put(o, "sip_status", json_integer(r->sip_status));
    bad |= tool_json_put(o, "detail", str_or_null(r->detail));
    bad |= tool_json_put(o, "rcd_name", str_or_null(r->rcd_name));
    bad |= tool_json_put(o, "div_links", json_integer(r->div_links));
    json_t *s = json_object();
    bad |= tool_json_put(s, "spc", str_or_null(r->spc));
    bad |= tool_json_put(s, "subject", str_or_null(r->subject));
    bad |= tool_json_put(s, "issuer", str_or_null(r->issuer));
    bad |= tool_json_put(s, "x5u", str_or_null(r->x5u));
    bad |= tool_json_put(o, "signer", s);
    bad |= tool_json_put(o, "identities", json_integer(r->identities));
    bad |= tool_json_put(o, "final_response",
                         r->final_status ? json_integer(r->final_status) : json_null());
    bad |= tool_json_put(o, "final_packet",
                         r->final_status ? json_integer((json_int_t)r->final_packet)
                                         : json_null());
    bad |= tool_json_put(o, "retransmissions", json_integer(r->retransmissions));
    bad |= tool_json_put(o, "hop", json_boolean(r->flags & TRACE_ROW_HOP));
    bad |= tool_json_put(o, "reinvite", json_boolean(r->flags & TRACE_ROW_REINVITE));
    bad |= tool_json_put(o, "forks", json_integer(r->forks ? r->forks + 1 : 0));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

void trace_json_begin(FILE *f)
{
    fputs("{\"calls\": [", f);
}

int trace_json_row(FILE *f, const trace_row *r, int first)
{
    json_t *o = row_json(r);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (s == NULL)
        return -1;
    fprintf(f, "%s\n  %s", first ? "" : ",", s);
    free(s);
    return 0;
}

static json_t *signer_json(const trace_signer *s)
{
    json_t *o = json_object();
    tool_json_put(o, "spc", str_or_null(s->spc));
    tool_json_put(o, "subject", str_or_null(s->subject));
    tool_json_put(o, "x5u", str_or_null(s->x5u));
    tool_json_put(o, "calls", json_integer((json_int_t)s->total));
    tool_json_put(o, "passed", json_integer((json_int_t)s->passed));
    tool_json_put(o, "failed", json_integer((json_int_t)s->failed));
    tool_json_put(o, "typical_defect",
                  s->nreasons ? json_string(clid_err_name(s->reasons[0].reason)) : json_null());
    return o;
}

static json_t *summary_json(const trace_agg *a, const trace_run_info *in)
{
    json_t *o = json_object();
    tool_json_put(o, "calls", json_integer((json_int_t)a->calls));
    tool_json_put(o, "passed", json_integer((json_int_t)a->by_verstat[CLID_VERSTAT_PASSED]));
    tool_json_put(o, "failed", json_integer((json_int_t)a->by_verstat[CLID_VERSTAT_FAILED]));
    tool_json_put(o, "unsigned",
                  json_integer((json_int_t)a->by_verstat[CLID_VERSTAT_NO_VALIDATION]));
    json_t *reasons = json_array();
    for (size_t i = 0; i < a->nreasons; i++) {
        json_t *r = json_object();
        tool_json_put(r, "reason", json_string(clid_err_name(a->reasons[i].reason)));
        tool_json_put(r, "text", json_string(clid_err_str(a->reasons[i].reason)));
        tool_json_put(r, "count", json_integer((json_int_t)a->reasons[i].n));
        tool_json_push(reasons, r);
    }
    tool_json_put(o, "reasons", reasons);
    json_t *fr = json_object();
    static const char *cls[] = {"none", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx"};
    for (int i = 0; i < 7; i++)
        tool_json_put(fr, cls[i], json_integer((json_int_t)a->status_class[i]));
    tool_json_put(o, "final_responses", fr);
    json_t *signers = json_array();
    for (size_t i = 0; i < a->nsigners; i++)
        tool_json_push(signers, signer_json(&a->signers[i]));
    tool_json_put(o, "signers", signers);
    tool_json_put(o, "signers_dropped", json_integer((json_int_t)a->signers_dropped));
    size_t worst[10];
    size_t nw = trace_agg_worst(a, worst, 10);
    json_t *w = json_array();
    for (size_t i = 0; i < nw; i++)
        tool_json_push(w, signer_json(&a->signers[worst[i]]));
    tool_json_put(o, "signers_failing_most", w);
    json_t *legs = json_object();
    tool_json_put(legs, "retransmissions", json_integer((json_int_t)a->retransmissions));
    tool_json_put(legs, "hops", json_integer((json_int_t)a->hops));
    tool_json_put(legs, "reinvites", json_integer((json_int_t)a->reinvites));
    tool_json_put(legs, "no_final_response", json_integer((json_int_t)a->no_final));
    tool_json_put(legs, "responses_without_request",
                  json_integer((json_int_t)in->corr.orphan_responses));
    tool_json_put(o, "legs", legs);
    json_t *input = json_object();
    tool_json_put(input, "packets", json_integer((json_int_t)in->packets));
    tool_json_put(input, "sip_messages", json_integer((json_int_t)in->messages));
    tool_json_put(input, "not_sip", json_integer((json_int_t)in->corr.not_sip));
    tool_json_put(input, "warnings", json_integer((json_int_t)in->warnings));
    tool_json_put(input, "dropped", json_integer((json_int_t)in->dropped));
    tool_json_put(input, "tcp_streams", json_integer((json_int_t)in->tcp_streams));
    tool_json_put(input, "fragments_reassembled", json_integer((json_int_t)in->fragments));
    tool_json_put(input, "live", json_boolean(in->live));
    tool_json_put(input, "interrupted", json_boolean(in->interrupted));
    tool_json_put(o, "input", input);
    if (a->have_time) {
        json_t *tl = json_object();
        tool_json_put(tl, "first", json_integer((json_int_t)a->t_first));
        tool_json_put(tl, "last", json_integer((json_int_t)a->t_last));
        tool_json_put(tl, "start", json_integer((json_int_t)a->t0));
        tool_json_put(tl, "bucket_seconds", json_integer((json_int_t)a->bucket_s));
        json_t *b = json_array();
        size_t last = 0;
        for (size_t i = 0; i < TRACE_TIME_BUCKETS; i++)
            if (a->buckets[i][0] || a->buckets[i][1] || a->buckets[i][2])
                last = i + 1;
        for (size_t i = 0; i < last; i++)
            tool_json_push(b, json_pack("{sIsIsI}", "passed",
                                        (json_int_t)a->buckets[i][CLID_VERSTAT_PASSED],
                                        "failed", (json_int_t)a->buckets[i][CLID_VERSTAT_FAILED],
                                        "unsigned",
                                        (json_int_t)a->buckets[i][CLID_VERSTAT_NO_VALIDATION]));
        tool_json_put(tl, "buckets", b);
        tool_json_put(o, "timeline", tl);
    }
    json_t *run = json_object();
    tool_json_put(run, "seconds", json_real(in->seconds));
    tool_json_put(run, "threads", json_integer(in->threads));
    tool_json_put(o, "run", run);
    return o;
}

int trace_json_end(FILE *f, const trace_agg *a, const trace_run_info *in)
{
    json_t *s = summary_json(a, in);
    char *txt = s ? json_dumps(s, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(s);
    if (txt == NULL)
        return -1;
    fprintf(f, "\n],\n\"summary\": %s}\n", txt);
    free(txt);
    return 0;
}

void trace_csv_field(FILE *f, const char *s)
{
    if (s == NULL)
        s = "";
    char *c = tool_sanitize(s, strlen(s)); /* no raw control bytes or invalid UTF-8 */
    const char *p = c ? c : "";
    int formula = p[0] == '=' || p[0] == '+' || p[0] == '-' || p[0] == '@' || p[0] == '\t' ||
                  p[0] == '\r';
    int quote = formula || strpbrk(p, "\",\r\n") != NULL;
    if (quote)
        fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    if (quote)
        fputc('"', f);
    free(c);
}

void trace_csv_header(FILE *f)
{
    fputs("time,packet,call_id,method,cseq,orig,dest,attest,verstat,reason,sip_status,"
          "signer_spc,signer_subject,x5u,final_response,retransmissions,hop,reinvite,forks,"
          "identities,src,dst,file\r\n",
          f);
}

void trace_csv_row(FILE *f, const trace_row *r)
{
    char t[32], n[32], at[2] = {r->attest, 0};
    trace_fmt_time(r->ts_sec, r->ts_usec, t);
    fprintf(f, "%s,%llu,", t, (unsigned long long)r->packet);
    trace_csv_field(f, r->callid);
    fputc(',', f);
    trace_csv_field(f, r->method);
    fprintf(f, ",%u,", r->cseq);
    trace_csv_field(f, r->orig);
    fputc(',', f);
    trace_csv_field(f, r->dest);
    fprintf(f, ",%s,%s,%s,%d,", at, clid_verstat_str(r->verstat), clid_err_name(r->reason),
            r->sip_status);
    trace_csv_field(f, r->spc);
    fputc(',', f);
    trace_csv_field(f, r->subject);
    fputc(',', f);
    trace_csv_field(f, r->x5u);
    snprintf(n, sizeof n, "%d", r->final_status);
    fprintf(f, ",%s,%u,%d,%d,%u,%u,", r->final_status ? n : "", r->retransmissions,
            (r->flags & TRACE_ROW_HOP) != 0, (r->flags & TRACE_ROW_REINVITE) != 0,
            r->forks ? r->forks + 1 : 0, r->identities);
    trace_csv_field(f, r->src);
    fputc(',', f);
    trace_csv_field(f, r->dst);
    fputc(',', f);
    trace_csv_field(f, r->file);
    fputs("\r\n", f);
}
