/*
 * Aggregates over the rows, in bounded memory whatever the capture's size:
 * counts by verdict, by reason and by final-response class; per signer (SPC
 * and certificate subject; at most MAX_SIGNERS, the rest counted as
 * dropped) totals and failure reasons; verdicts over time in
 * TRACE_TIME_BUCKETS buckets whose width doubles when the capture outgrows
 * them (so a capture of any length fits the chart).
 */
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

#define MAX_SIGNERS 10000

void trace_agg_init(trace_agg *a)
{
    memset(a, 0, sizeof *a);
    a->bucket_s = 1;
}

void trace_agg_free(trace_agg *a)
{
    for (size_t i = 0; i < a->nsigners; i++) {
        free(a->signers[i].spc);
        free(a->signers[i].subject);
        free(a->signers[i].x5u);
    }
    free(a->signers);
    free(a->slots);
    memset(a, 0, sizeof *a);
}

static void count(trace_count *t, size_t *n, size_t cap, clid_err e)
{
    for (size_t i = 0; i < *n; i++)
        if (t[i].reason == e) {
            t[i].n++;
            return;
        }
    if (*n < cap) {
        t[*n].reason = e;
        t[*n].n = 1;
        (*n)++;
    }
}

static int same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The signer is its certificate (SPC, subject); calls that failed before a
 * certificate was had (stale, unreachable x5u) are grouped by x5u URL. */
static const char *key_x5u(const trace_row *r)
{
    return r->subject == NULL && r->x5u != NULL ? r->x5u : "";
}

static uint64_t key_hash(const char *spc, const char *subject, const char *x5u)
{
    uint64_t h = 14695981039346656037ULL;
    for (const char *s = spc ? spc : ""; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
    for (const char *s = subject ? subject : ""; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
    for (const char *s = x5u; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Open addressing over SIGNER_SLOTS slots (index + 1; 0 empty): twice
 * MAX_SIGNERS rounded up to a power of two, so probes stay short. */
#define SIGNER_SLOTS 32768u

static trace_signer *signer(trace_agg *a, const trace_row *r)
{
    if (a->slots == NULL && (a->slots = calloc(SIGNER_SLOTS, sizeof *a->slots)) == NULL)
        return NULL;
    const char *x5u = key_x5u(r);
    size_t i = (size_t)(key_hash(r->spc, r->subject, x5u) & (SIGNER_SLOTS - 1));
    for (; a->slots[i] != 0; i = (i + 1) & (SIGNER_SLOTS - 1)) {
        trace_signer *s = &a->signers[a->slots[i] - 1];
        if (same(s->spc, r->spc) && same(s->subject, r->subject) && same(s->x5u, x5u))
            return s;
    }
    if (a->nsigners == MAX_SIGNERS)
        return NULL;
    if (a->nsigners == a->cap_signers) {
        size_t nc = a->cap_signers ? a->cap_signers * 2 : 16;
        trace_signer *ns = realloc(a->signers, nc * sizeof *ns);
        if (ns == NULL)
            return NULL;
        a->signers = ns;
        a->cap_signers = nc;
    }
    trace_signer *s = &a->signers[a->nsigners];
    memset(s, 0, sizeof *s);
    s->spc = strdup(r->spc ? r->spc : "");
    s->subject = strdup(r->subject ? r->subject : "");
    s->x5u = strdup(x5u);
    if (s->spc == NULL || s->subject == NULL || s->x5u == NULL) {
        free(s->spc);
        free(s->subject);
        free(s->x5u);
        return NULL;
    }
    a->nsigners++;
    a->slots[i] = a->nsigners;
    return s;
}

/* Halves the time resolution: bucket i and i+1 become bucket i/2. */
static void widen(trace_agg *a)
{
    for (size_t i = 0; i < TRACE_TIME_BUCKETS; i++)
        for (int v = 0; v < 3; v++) {
            uint64_t n = a->buckets[i][v];
            a->buckets[i][v] = 0;
            a->buckets[i / 2][v] += n;
        }
    a->bucket_s *= 2;
}

static void add_time(trace_agg *a, int64_t t, clid_verstat v)
{
    if (!a->have_time) {
        a->have_time = 1;
        a->t0 = a->t_first = a->t_last = t;
    }
    if (t < a->t_first)
        a->t_first = t;
    if (t > a->t_last)
        a->t_last = t;
    if (t < a->t0)
        t = a->t0; /* rows come in packet order; an earlier time (merged files) joins bucket 0 */
    while ((t - a->t0) / a->bucket_s >= TRACE_TIME_BUCKETS)
        widen(a);
    a->buckets[(t - a->t0) / a->bucket_s][v]++;
}

void trace_agg_add(trace_agg *a, const trace_row *r)
{
    a->calls++;
    int v = (int)r->verstat;
    if (v < 0 || v > 2)
        v = 0;
    a->by_verstat[v]++;
    a->retransmissions += r->retransmissions;
    if (r->flags & TRACE_ROW_HOP)
        a->hops++;
    if (r->flags & TRACE_ROW_REINVITE)
        a->reinvites++;
    if (r->final_status == 0)
        a->no_final++;
    int cls = r->final_status / 100;
    a->status_class[cls >= 1 && cls <= 6 ? cls : 0]++;
    count(a->reasons, &a->nreasons, sizeof a->reasons / sizeof a->reasons[0], r->reason);
    add_time(a, r->ts_sec, (clid_verstat)v);
    if (r->identities == 0)
        return; /* unsigned: no signer */
    trace_signer *s = signer(a, r);
    if (s == NULL) {
        a->signers_dropped++;
        return;
    }
    s->total++;
    if (r->verstat == CLID_VERSTAT_PASSED) {
        s->passed++;
    } else {
        s->failed++;
        count(s->reasons, &s->nreasons, sizeof s->reasons / sizeof s->reasons[0], r->reason);
    }
}

static int cmp_count(const void *x, const void *y)
{
    const trace_count *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(clid_err_name(a->reason), clid_err_name(b->reason));
}

static int cmp_signer(const void *x, const void *y)
{
    const trace_signer *a = x, *b = y;
    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    int c = strcmp(a->spc, b->spc);
    if (c == 0)
        c = strcmp(a->subject, b->subject);
    return c ? c : strcmp(a->x5u, b->x5u);
}

void trace_agg_finish(trace_agg *a)
{
    qsort(a->reasons, a->nreasons, sizeof a->reasons[0], cmp_count);
    for (size_t i = 0; i < a->nsigners; i++)
        qsort(a->signers[i].reasons, a->signers[i].nreasons, sizeof(trace_count), cmp_count);
    if (a->nsigners > 1)
        qsort(a->signers, a->nsigners, sizeof *a->signers, cmp_signer);
    free(a->slots); /* the order changed: no more lookups after finish */
    a->slots = NULL;
}

static int cmp_worst(const void *x, const void *y)
{
    const trace_signer *a = *(const trace_signer *const *)x;
    const trace_signer *b = *(const trace_signer *const *)y;
    if (a->failed != b->failed)
        return a->failed > b->failed ? -1 : 1;
    return cmp_signer(a, b);
}

size_t trace_agg_worst(const trace_agg *a, size_t *idx, size_t max)
{
    size_t n = 0;
    const trace_signer **all = malloc((a->nsigners ? a->nsigners : 1) * sizeof *all);
    if (all == NULL)
        return 0;
    for (size_t i = 0; i < a->nsigners; i++)
        if (a->signers[i].failed > 0)
            all[n++] = &a->signers[i];
    qsort(all, n, sizeof *all, cmp_worst);
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++)
        idx[i] = (size_t)(all[i] - a->signers);
    free(all);
    return n;
}
