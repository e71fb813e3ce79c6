/*
 * Correlation: requests and responses into rows (TRACE-SPEC "Per-call
 * semantics").
 *
 * A call is a Call-ID. A row is one request leg worth verifying: every
 * INVITE and every other request carrying Identity (RFC 8224 §4 applies to
 * any dialog-initiating request). A leg is (CSeq number, method, top Via
 * branch): RFC 3261 §17.2.3 matches a request to its server transaction by
 * the branch, so the same Call-ID/CSeq with another branch is the request
 * seen again one proxy hop further (a "hop" row of its own), and another
 * CSeq is another transaction (a re-INVITE when the To has a tag, §14.1).
 * A copy of a leg's request with the same Identity bytes is a
 * retransmission (§17.1.1.2, Timer A) and is folded into the row.
 * Responses match a leg by CSeq, method and top Via branch (§17.1.3), or by
 * CSeq and method alone when no branch matches (captures taken between a
 * proxy and a UA that rewrote Via); the first final response (>= 200) is the
 * row's; distinct To-tags count the forks (§16.7 step 5).
 *
 * Rows are released in creation order (= packet order), each when complete:
 * its final response arrived `grace` seconds of capture time ago, or it was
 * idle for `idle` seconds, or more than max_pending rows (50,000, ~50 MB)
 * are held, or the input ended. The decision depends on the capture only, never on threads,
 * so the output is the same for any --threads. Responses that arrive before
 * their request (captures merged from several interfaces) wait in a small
 * ring for `idle` seconds.
 */
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

typedef struct trace_call {
    char *callid;
    uint64_t hash;
    trace_row *rows; /* in creation order */
    struct trace_call *hnext;
} trace_call;

#define EARLY_RING 256

typedef struct early_resp {
    uint64_t callid_hash, branch_hash, tag_hash;
    uint32_t cseq;
    char method[24];
    int status;
    uint64_t packet;
    int64_t sec;
    int used;
} early_resp;

struct trace_corr {
    trace_corr_cfg cfg;
    trace_call **buckets;
    size_t nbuckets, ncalls;
    trace_row *head, *tail;
    size_t pending;
    uint64_t next_seq;
    int64_t now;
    early_resp early[EARLY_RING];
    size_t early_next;
    trace_corr_stats st;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

trace_corr *trace_corr_new(const trace_corr_cfg *cfg)
{
    trace_corr *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->cfg = *cfg;
    if (c->cfg.idle == 0)
        c->cfg.idle = 32;
    if (c->cfg.grace == 0)
        c->cfg.grace = 4;
    if (c->cfg.max_pending == 0)
        c->cfg.max_pending = 50000;
    c->nbuckets = 1024;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (c->buckets == NULL) {
        free(c);
        return NULL;
    }
    return c;
}

void trace_row_free(trace_row *r)
{
    if (r == NULL)
        return;
    free(r->msg);
    free(r->spc);
    free(r->subject);
    free(r->issuer);
    free(r->x5u);
    free(r->detail);
    free(r->rcd_name);
    free(r);
}

void trace_corr_free(trace_corr *c)
{
    if (c == NULL)
        return;
    for (trace_row *r = c->head, *n; r != NULL; r = n) {
        n = r->next;
        trace_row_free(r);
    }
    for (size_t i = 0; i < c->nbuckets; i++)
        for (trace_call *k = c->buckets[i], *n; k != NULL; k = n) {
            n = k->hnext;
            free(k->callid);
            free(k);
        }
    free(c->buckets);
    free(c);
}

static trace_call *find_call(trace_corr *c, const char *callid, uint64_t h)
{
    for (trace_call *k = c->buckets[h & (c->nbuckets - 1)]; k != NULL; k = k->hnext)
        if (k->hash == h && strcmp(k->callid, callid) == 0)
            return k;
    return NULL;
}

static void grow(trace_corr *c)
{
    size_t nb = c->nbuckets * 2;
    trace_call **b = calloc(nb, sizeof *b);
    if (b == NULL)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < c->nbuckets; i++)
        for (trace_call *k = c->buckets[i], *n; k != NULL; k = n) {
            n = k->hnext;
            k->hnext = b[k->hash & (nb - 1)];
            b[k->hash & (nb - 1)] = k;
        }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = nb;
}

static trace_call *add_call(trace_corr *c, const char *callid, uint64_t h)
{
    if (c->ncalls >= c->nbuckets)
        grow(c);
    trace_call *k = calloc(1, sizeof *k);
    if (k == NULL || (k->callid = strdup(callid)) == NULL) {
        free(k);
        return NULL;
    }
    k->hash = h;
    k->hnext = c->buckets[h & (c->nbuckets - 1)];
    c->buckets[h & (c->nbuckets - 1)] = k;
    c->ncalls++;
    return k;
}

static void remove_call(trace_corr *c, trace_call *k)
{
    trace_call **pp = &c->buckets[k->hash & (c->nbuckets - 1)];
    while (*pp != k)
        pp = &(*pp)->hnext;
    *pp = k->hnext;
    c->ncalls--;
    free(k->callid);
    free(k);
}

/* A response (or an early one) applied to its row. */
static void apply_response(trace_row *r, int status, uint64_t tag_hash, uint64_t packet,
                           int64_t sec)
{
    if (tag_hash != 0) {
        unsigned i = 0;
        while (i < r->ntags && r->tags[i] != tag_hash)
            i++;
        if (i == r->ntags && r->ntags < sizeof r->tags / sizeof r->tags[0])
            r->tags[r->ntags++] = tag_hash;
        r->forks = r->ntags > 1 ? r->ntags - 1 : 0;
    }
    if (status >= 200 && r->final_status == 0) {
        r->final_status = status;
        r->final_packet = packet;
        r->final_sec = sec;
    }
    if (sec > r->last_sec)
        r->last_sec = sec;
}

static int new_row(trace_corr *c, trace_call *k, const trace_msg *m, const trace_sip *s,
                   unsigned flags)
{
    trace_row *r = calloc(1, sizeof *r);
    if (r == NULL || (r->msg = malloc(m->len ? m->len : 1)) == NULL) {
        free(r);
        return -1;
    }
    memcpy(r->msg, m->data, m->len);
    r->len = m->len;
    r->seq = c->next_seq++;
    r->packet = m->packet;
    r->ts_sec = r->last_sec = m->ts_sec;
    r->ts_usec = m->ts_usec;
    r->file = m->file;
    snprintf(r->src, sizeof r->src, "%s", m->src ? m->src : "");
    snprintf(r->dst, sizeof r->dst, "%s", m->dst ? m->dst : "");
    r->sport = m->sport;
    r->dport = m->dport;
    r->transport = m->transport;
    memcpy(r->callid, s->callid, sizeof r->callid);
    memcpy(r->method, s->method, sizeof r->method);
    r->cseq = s->cseq;
    memcpy(r->branch, s->branch, sizeof r->branch);
    r->identity_hash = s->identity_hash;
    r->identities = s->identities;
    r->flags = flags;
    r->call = k;
    /* append to the call's rows and to the emission queue */
    trace_row **pp = &k->rows;
    while (*pp != NULL)
        pp = &(*pp)->call_next;
    *pp = r;
    if (c->tail)
        c->tail->next = r;
    else
        c->head = r;
    c->tail = r;
    c->pending++;
    c->st.rows++;
    /* responses seen before this request */
    uint64_t ch = hash_str(s->callid), bh = hash_str(s->branch);
    for (size_t i = 0; i < EARLY_RING; i++) {
        early_resp *e = &c->early[i];
        if (!e->used || e->callid_hash != ch || e->cseq != s->cseq ||
            strcmp(e->method, s->method) != 0 || (e->branch_hash != bh && s->branch[0]))
            continue;
        apply_response(r, e->status, e->tag_hash, e->packet, e->sec);
        e->used = 0;
        c->st.orphan_responses--;
    }
    if (c->cfg.submit)
        c->cfg.submit(c->cfg.submit_arg, r);
    return 0;
}

static int feed_request(trace_corr *c, const trace_msg *m, const trace_sip *s, uint64_t h)
{
    c->st.requests++;
    if (strcmp(s->method, "INVITE") != 0 && s->identities == 0) {
        c->st.ignored_requests++; /* ACK, BYE, CANCEL, OPTIONS...: nothing to verify */
        return 0;
    }
    trace_call *k = find_call(c, s->callid, h);
    unsigned flags = 0;
    if (k != NULL) {
        for (trace_row *r = k->rows; r != NULL; r = r->call_next) {
            if (r->cseq != s->cseq || strcmp(r->method, s->method) != 0)
                continue;
            if (strcmp(r->branch, s->branch) == 0 && r->identity_hash == s->identity_hash) {
                r->retransmissions++;
                if (m->ts_sec > r->last_sec)
                    r->last_sec = m->ts_sec;
                c->st.retransmissions++;
                return 0;
            }
            flags |= TRACE_ROW_HOP;
        }
    } else if ((k = add_call(c, s->callid, h)) == NULL) {
        return -1;
    }
    if (strcmp(s->method, "INVITE") == 0 && s->to_tag[0] != '\0')
        flags |= TRACE_ROW_REINVITE;
    if (flags & TRACE_ROW_HOP)
        c->st.hops++;
    if (flags & TRACE_ROW_REINVITE)
        c->st.reinvites++;
    if (new_row(c, k, m, s, flags) != 0) {
        if (k->rows == NULL)
            remove_call(c, k);
        return -1;
    }
    return 0;
}

static void feed_response(trace_corr *c, const trace_msg *m, const trace_sip *s, uint64_t h)
{
    c->st.responses++;
    trace_call *k = find_call(c, s->callid, h);
    trace_row *match = NULL, *loose = NULL;
    for (trace_row *r = k ? k->rows : NULL; r != NULL; r = r->call_next) {
        if (r->cseq != s->cseq || strcmp(r->method, s->cseq_method) != 0)
            continue;
        if (strcmp(r->branch, s->branch) == 0) {
            match = r;
            break;
        }
        loose = r; /* the latest leg of that transaction */
    }
    if (match == NULL)
        match = loose;
    uint64_t tag = s->to_tag[0] ? hash_str(s->to_tag) : 0;
    if (match != NULL) {
        apply_response(match, s->status, tag, m->packet, m->ts_sec);
        return;
    }
    if (s->status < 200 || (strcmp(s->cseq_method, "INVITE") != 0 && k == NULL))
        return; /* provisional, or a response to a request we do not track */
    /* a final response before (or without) its request */
    early_resp *e = &c->early[c->early_next];
    c->early_next = (c->early_next + 1) % EARLY_RING;
    /* an entry overwritten stays counted as an orphan */
    c->st.orphan_responses++;
    e->used = 1;
    e->callid_hash = hash_str(s->callid);
    e->branch_hash = hash_str(s->branch);
    e->tag_hash = tag;
    e->cseq = s->cseq;
    memcpy(e->method, s->cseq_method, sizeof e->method);
    e->status = s->status;
    e->packet = m->packet;
    e->sec = m->ts_sec;
}

int trace_corr_feed(trace_corr *c, const trace_msg *m)
{
    trace_sip s;
    c->st.messages++;
    if (trace_sip_parse(m->data, m->len, &s) != 0) {
        c->st.not_sip++;
        return 0;
    }
    if (m->ts_sec > c->now)
        c->now = m->ts_sec;
    uint64_t h = hash_str(s.callid);
    if (s.is_request)
        return feed_request(c, m, &s, h);
    feed_response(c, m, &s, h);
    return 0;
}

trace_row *trace_corr_pop(trace_corr *c, int all)
{
    trace_row *r = c->head;
    if (r == NULL)
        return NULL;
    int done = all || c->pending > c->cfg.max_pending ||
               (r->final_status != 0 && c->now - r->final_sec >= (int64_t)c->cfg.grace) ||
               c->now - r->last_sec >= (int64_t)c->cfg.idle;
    if (!done)
        return NULL;
    c->head = r->next;
    if (c->head == NULL)
        c->tail = NULL;
    r->next = NULL;
    c->pending--;
    if (r->final_status == 0)
        r->flags |= TRACE_ROW_TIMEOUT;
    /* out of its call; the call goes with its last row */
    trace_call *k = r->call;
    trace_row **pp = &k->rows;
    while (*pp != r)
        pp = &(*pp)->call_next;
    *pp = r->call_next;
    r->call_next = NULL;
    r->call = NULL;
    if (k->rows == NULL)
        remove_call(c, k);
    return r;
}

void trace_corr_get_stats(const trace_corr *c, trace_corr_stats *out)
{
    *out = c->st;
}

size_t trace_corr_pending(const trace_corr *c)
{
    return c->pending;
}
