/*
 * clid trace: the per-call analysis of a capture (issue 11, docs/trace.md).
 *
 * Pipeline (one reader thread, N verification threads the tool starts):
 *   capture (clid_capture_next) -> correlation (corr.c: Call-ID, CSeq, top
 *   Via branch, To-tag) -> verification (pool.c: one shared clid_verifier,
 *   now = the packet's capture time) -> aggregation (agg.c) and the outputs
 *   (out_text.c, out_data.c, out_html.c).
 * Rows leave the correlator in the order of their first packet whatever the
 * number of threads, so every output is deterministic.
 */
#ifndef CLID_TOOL_TRACE_H
#define CLID_TOOL_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <clid/clid.h>

/* ---------------------------------------------------------------------- */
/* One SIP message, as the correlator needs it (sipmsg.c)                   */
/* ---------------------------------------------------------------------- */

#define TRACE_FIELD 256 /* Call-ID, branch, tag kept at most (longer: cut, still compared) */

typedef struct trace_sip {
    int is_request;          /* 1 request, 0 response */
    char method[24];         /* request method, or the CSeq method of a response */
    int status;              /* response status code */
    char callid[TRACE_FIELD];
    uint32_t cseq;
    char cseq_method[24];
    char branch[TRACE_FIELD]; /* top Via's branch parameter, "" when none */
    char to_tag[TRACE_FIELD]; /* "" when none */
    unsigned identities;      /* Identity headers (full or compact "y") */
    uint64_t identity_hash;   /* FNV-1a of their values, to tell a retransmission */
} trace_sip;

/* Parses the start line and the few headers correlation needs. 0 when the
 * message is SIP with a Call-ID and a CSeq, -1 otherwise (counted, ignored). */
int trace_sip_parse(const char *data, size_t len, trace_sip *out);

/* ---------------------------------------------------------------------- */
/* Rows: one per verified request leg                                       */
/* ---------------------------------------------------------------------- */

enum {
    TRACE_ROW_HOP = 0x1,      /* same Call-ID/CSeq as an earlier row, other branch */
    TRACE_ROW_REINVITE = 0x2, /* in-dialog INVITE (To has a tag) */
    TRACE_ROW_TIMEOUT = 0x4,  /* flushed without a final response (idle or end) */
};

typedef struct trace_row {
    uint64_t seq;            /* 0-based number of the row, in packet order */
    uint64_t packet;
    int64_t ts_sec;
    int32_t ts_usec;
    const char *file;        /* input name (borrowed from the command line) */
    char src[46], dst[46];
    uint16_t sport, dport;
    int transport;
    char callid[TRACE_FIELD];
    char method[24];
    uint32_t cseq;
    char branch[TRACE_FIELD];
    uint64_t identity_hash;
    unsigned identities;
    unsigned flags;
    unsigned retransmissions; /* folded copies of the request */
    unsigned forks;           /* distinct To-tags in responses, above 1 (forked legs) */
    uint64_t tags[8];         /* hashes of the distinct To-tags seen */
    unsigned ntags;
    int final_status;         /* first final response, 0: none */
    uint64_t final_packet;
    int64_t final_sec;
    int64_t last_sec;         /* capture time of the last message of this leg */

    /* verification input (freed once verified) */
    char *msg;
    size_t len;

    /* verification output (pool.c) */
    int verified;
    clid_err reason;
    clid_verstat verstat;
    int sip_status;
    char attest;             /* 0 when unknown */
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    char *spc, *subject, *issuer, *x5u, *detail; /* NULL when unknown */
    char *rcd_name;          /* the verified caller name (RFC 9795), NULL when none */
    unsigned div_links;      /* the div PASSporTs of a diverted call's chain (RFC 8946) */

    struct trace_row *next;      /* emission queue */
    struct trace_row *call_next; /* rows of the same call */
    struct trace_call *call;
} trace_row;

void trace_row_free(trace_row *r);

/* ---------------------------------------------------------------------- */
/* Correlation (corr.c)                                                     */
/* ---------------------------------------------------------------------- */

typedef struct trace_corr trace_corr;

typedef struct trace_msg {
    uint64_t packet;
    int64_t ts_sec;
    int32_t ts_usec;
    const char *file;
    int transport;
    const char *src, *dst;
    uint16_t sport, dport;
    const char *data;
    size_t len;
} trace_msg;

typedef struct trace_corr_cfg {
    uint32_t idle;        /* seconds of capture time after which a leg without final
                             response is flushed (default 32: Timer B, RFC 3261 §17.1.1.2) */
    uint32_t grace;       /* seconds a leg stays open after its final response, to fold late
                             retransmissions (default 4: T4, RFC 3261 §17.1.2.2) */
    size_t max_pending;   /* rows held at most before the oldest is flushed (default 50000) */
    /* called for each new row (to verify it); may be NULL */
    void (*submit)(void *arg, trace_row *r);
    void *submit_arg;
} trace_corr_cfg;

typedef struct trace_corr_stats {
    uint64_t messages, not_sip, requests, responses, rows, retransmissions, hops, reinvites,
        orphan_responses, ignored_requests;
} trace_corr_stats;

trace_corr *trace_corr_new(const trace_corr_cfg *cfg);
void trace_corr_free(trace_corr *c);
/* Feeds one message. -1 out of memory. */
int trace_corr_feed(trace_corr *c, const trace_msg *m);
/* The oldest row when it is complete (final response + grace, idle, too many
 * pending, or `all` at the end of the input), removed from the correlator and
 * owned by the caller; else NULL. */
trace_row *trace_corr_pop(trace_corr *c, int all);
void trace_corr_get_stats(const trace_corr *c, trace_corr_stats *out);
size_t trace_corr_pending(const trace_corr *c);

/* ---------------------------------------------------------------------- */
/* Verification threads (pool.c)                                            */
/* ---------------------------------------------------------------------- */

typedef struct trace_pool trace_pool;

/* Starts `threads` workers verifying with `v` (shared). NULL on failure. */
trace_pool *trace_pool_new(clid_verifier *v, int threads);
/* Queues r (blocks while the queue is full). */
void trace_pool_submit(trace_pool *p, trace_row *r);
/* Waits until r is verified. */
void trace_pool_wait(trace_pool *p, trace_row *r);
/* Joins the workers. */
void trace_pool_free(trace_pool *p);
/* Verifies r in the calling thread (res: a clid_result of that thread). */
void trace_verify_row(clid_verifier *v, clid_result *res, trace_row *r);
/* Rows verified so far (for the progress line). */
uint64_t trace_pool_done(trace_pool *p);

/* ---------------------------------------------------------------------- */
/* Aggregates (agg.c)                                                       */
/* ---------------------------------------------------------------------- */

#define TRACE_TIME_BUCKETS 60

typedef struct trace_count {
    clid_err reason;
    uint64_t n;
} trace_count;

typedef struct trace_signer {
    char *spc, *subject;
    char *x5u; /* "" unless the certificate is unknown: such calls are grouped by x5u URL */
    uint64_t total, passed, failed;
    trace_count reasons[8]; /* failure reasons, most seen first after trace_agg_finish */
    size_t nreasons;
} trace_signer;

typedef struct trace_agg {
    uint64_t calls, by_verstat[3];
    uint64_t retransmissions, hops, reinvites, no_final;
    trace_count reasons[128];
    size_t nreasons;
    uint64_t status_class[7]; /* 0: none, 1..6: 1xx..6xx */
    trace_signer *signers;
    size_t nsigners, cap_signers;
    uint64_t signers_dropped; /* rows whose signer did not fit the table */
    size_t *slots;            /* hash index into signers (agg.c) */
    /* verdicts over time: buckets of `bucket_s` seconds from t0 */
    int64_t t0, t_first, t_last;
    int64_t bucket_s;
    uint64_t buckets[TRACE_TIME_BUCKETS][3];
    int have_time;
} trace_agg;

void trace_agg_init(trace_agg *a);
void trace_agg_add(trace_agg *a, const trace_row *r);
/* Sorts reasons and signers by count (ties: by name), for the outputs. */
void trace_agg_finish(trace_agg *a);
void trace_agg_free(trace_agg *a);
/* Signers that failed most: indices into a->signers, sorted; returns count. */
size_t trace_agg_worst(const trace_agg *a, size_t *idx, size_t max);

/* ---------------------------------------------------------------------- */
/* Outputs                                                                  */
/* ---------------------------------------------------------------------- */

/* Run-wide facts the reports print next to the aggregates. */
typedef struct trace_run_info {
    const char *const *inputs;
    size_t ninputs;
    int live;
    int threads;
    double seconds;            /* wall time of the run */
    uint64_t packets, messages, warnings, dropped, tcp_streams, fragments;
    trace_corr_stats corr;
    int interrupted;           /* live capture stopped by a signal */
} trace_run_info;

const char *trace_verstat_short(clid_verstat v); /* "passed", "failed", "unsigned" */
/* "2024-01-02 03:04:05.123" (UTC) */
void trace_fmt_time(int64_t sec, int32_t usec, char out[32]);
/* Reason name without the CLID_ERR_ prefix ("OK" for CLID_OK). */
const char *trace_reason_short(clid_err e);

/* Text table and summary (out_text.c). */
void trace_text_header(FILE *f);
void trace_text_row(FILE *f, const trace_row *r);
void trace_text_summary(FILE *f, const trace_agg *a, const trace_run_info *info);

/* JSON (one document, streamed) and CSV (out_data.c). */
void trace_json_begin(FILE *f);
int trace_json_row(FILE *f, const trace_row *r, int first);
int trace_json_end(FILE *f, const trace_agg *a, const trace_run_info *info);
void trace_csv_header(FILE *f);
void trace_csv_row(FILE *f, const trace_row *r);
/* One RFC 4180 field, formula-injection safe (a cell starting with = + - @
 * TAB or CR gets a leading '). */
void trace_csv_field(FILE *f, const char *s);

/* HTML report (out_html.c): keeps up to TRACE_HTML_ROWS rows. */
#define TRACE_HTML_ROWS 1000
typedef struct trace_html trace_html;
trace_html *trace_html_new(void);
void trace_html_row(trace_html *h, const trace_row *r);
int trace_html_write(trace_html *h, const char *path, const trace_agg *a,
                     const trace_run_info *info);
void trace_html_free(trace_html *h);

/* --cert-dir (certdir.c): an x5u fetcher serving DIR/<basename of the URL>. */
typedef struct trace_certdir {
    const char *dir;
    clid_fetch_fn next; /* --fetch: the network fetcher, else NULL */
    void *next_arg;
} trace_certdir;
clid_err trace_certdir_fetch(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                             int64_t *max_age_s);

#endif /* CLID_TOOL_TRACE_H */
