/*
 * Verification threads: the tool, not the library, starts them (DESIGN.md:
 * no threads started by the library). One clid_verifier is shared (its
 * certificate cache locks internally, clid.h "Thread safety"), one
 * clid_result per worker. Each request is verified at its packet's capture
 * time (TRACE-SPEC: clid_sip_verify_opts.now = ts_sec), so a capture
 * analysed a year later gives the verdicts the call got then.
 * The queue is bounded: the reader blocks while it is full, so a fast
 * reader never holds more than QUEUE_MAX unverified requests in memory.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <clid/clid_sip.h>

#include "trace/trace.h"

#define QUEUE_MAX 1024 /* x at most 64 KiB per request: 64 MiB worst case */

struct trace_pool {
    clid_verifier *v;
    pthread_mutex_t mu;
    pthread_cond_t can_take, can_put, done;
    trace_row **q;
    size_t qhead, qlen;
    int stop;
    int nthreads;
    pthread_t *threads;
    uint64_t ndone;
    /* Who sleeps on which condition: a signal only when someone waits, so a
     * busy pipeline pays no futex wake-up per call (perf showed
     * pthread_cond_broadcast's wake-ups as the top cost). */
    int idle_workers, put_waiters, done_waiters;
};

static char *dup_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? strdup(s) : NULL;
}

void trace_verify_row(clid_verifier *v, clid_result *res, trace_row *r)
{
    clid_result_reset(res);
    clid_sip_verify_opts o;
    memset(&o, 0, sizeof o);
    /* 0 means "the context's clock": a capture at the epoch is taken at 1 s */
    o.now = r->ts_sec > 0 ? r->ts_sec : 1;
    clid_err e = clid_sip_verify(v, &o, r->msg, r->len, res);
    r->reason = clid_result_reason(res);
    if (e != CLID_OK && r->reason == CLID_OK)
        r->reason = e;
    r->verstat = clid_result_verstat(res);
    r->sip_status = clid_result_sip_status(res);
    r->attest = clid_result_attest(res);
    /* The numbers the request carries (what the call claims), whatever the
     * verdict. A call that passed was bound to them (clid_sip.h): its
     * PASSporT's orig is the request's caller, and with one dest that is
     * the callee, both canonical; no second parse of the request then. */
    const char *po = clid_result_orig(res);
    if (r->verstat == CLID_VERSTAT_PASSED && po != NULL && clid_result_dest_count(res) == 1 &&
        clid_tn_canonicalize(po, r->orig) == CLID_OK &&
        clid_tn_canonicalize(clid_result_dest(res, 0), r->dest) == CLID_OK) {
        /* both canonical now */
    } else {
        char orig[CLID_TN_BUF] = "", dest[CLID_TN_BUF] = "";
        clid_err te = clid_sip_get_tns(r->msg, r->len, orig, dest);
        (void)te; /* partial results are kept: a call without a TN caller has a callee */
        memcpy(r->orig, orig, sizeof r->orig);
        memcpy(r->dest, dest, sizeof r->dest);
    }
    r->spc = dup_or_null(clid_result_signer_spc(res));
    r->subject = dup_or_null(clid_result_signer_subject(res));
    r->issuer = dup_or_null(clid_result_signer_issuer(res));
    r->x5u = dup_or_null(clid_result_x5u(res));
    /* Rich Call Data and div chains (issue 14): what verified only */
    r->rcd_name = dup_or_null(clid_result_rcd_name(res));
    r->div_links = (unsigned)clid_result_div_count(res);
    r->detail = dup_or_null(clid_result_detail(res));
    free(r->msg);
    r->msg = NULL;
}

static void *worker(void *arg)
{
    trace_pool *p = arg;
    clid_result *res = NULL;
    if (clid_result_new(&res) != CLID_OK)
        res = NULL;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->qlen == 0 && !p->stop) {
            p->idle_workers++;
            pthread_cond_wait(&p->can_take, &p->mu);
            p->idle_workers--;
        }
        if (p->qlen == 0)
            break;
        trace_row *r = p->q[p->qhead];
        p->qhead = (p->qhead + 1) % QUEUE_MAX;
        p->qlen--;
        if (p->put_waiters)
            pthread_cond_signal(&p->can_put);
        pthread_mutex_unlock(&p->mu);
        if (res != NULL) {
            trace_verify_row(p->v, res, r);
        } else {
            r->reason = CLID_ERR_NOMEM;
            r->verstat = clid_err_verstat(CLID_ERR_NOMEM);
        }
        pthread_mutex_lock(&p->mu);
        r->verified = 1;
        p->ndone++;
        if (p->done_waiters)
            pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    clid_result_free(res);
    return NULL;
}

trace_pool *trace_pool_new(clid_verifier *v, int threads)
{
    trace_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->v = v;
    p->q = calloc(QUEUE_MAX, sizeof *p->q);
    p->threads = calloc((size_t)threads, sizeof *p->threads);
    if (p->q == NULL || p->threads == NULL) {
        free(p->q);
        free(p->threads);
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->can_take, NULL);
    pthread_cond_init(&p->can_put, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
            break;
        p->nthreads++;
    }
    if (p->nthreads == 0) {
        trace_pool_free(p);
        return NULL;
    }
    return p;
}

void trace_pool_submit(trace_pool *p, trace_row *r)
{
    pthread_mutex_lock(&p->mu);
    while (p->qlen == QUEUE_MAX) {
        p->put_waiters++;
        pthread_cond_wait(&p->can_put, &p->mu);
        p->put_waiters--;
    }
    p->q[(p->qhead + p->qlen) % QUEUE_MAX] = r;
    p->qlen++;
    if (p->idle_workers)
        pthread_cond_signal(&p->can_take);
    pthread_mutex_unlock(&p->mu);
}

void trace_pool_wait(trace_pool *p, trace_row *r)
{
    pthread_mutex_lock(&p->mu);
    while (!r->verified) {
        p->done_waiters++;
        pthread_cond_wait(&p->done, &p->mu);
        p->done_waiters--;
    }
    pthread_mutex_unlock(&p->mu);
}

uint64_t trace_pool_done(trace_pool *p)
{
    pthread_mutex_lock(&p->mu);
    uint64_t n = p->ndone;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void trace_pool_free(trace_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->can_take);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->can_take);
    pthread_cond_destroy(&p->can_put);
    pthread_cond_destroy(&p->done);
    free(p->q);
    free(p->threads);
    free(p);
}
