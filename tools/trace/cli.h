/* clid trace's options (cmd_trace.c parses them, setup.c turns the
 * verification ones into a clid_ctx). */
#ifndef CLID_TOOL_TRACE_CLI_H
#define CLID_TOOL_TRACE_CLI_H

#include "trace/trace.h"
#include "util.h"

enum {
    TO_IFACE, TO_FILTER, TO_FETCH, TO_MAP, TO_CERT_DIR, TO_TRUST, TO_CRL, TO_CRL_SIGNER,
    TO_CRL_POLICY, TO_TN_POLICY, TO_PPT, TO_REQ_ENTITY, TO_STRICT, TO_CERT_PROFILE, TO_MAX_AGE,
    TO_ALLOW_HTTP, TO_ALLOW_PRIVATE, TO_X5U_CA, TO_CACHE_DIR, TO_THREADS, TO_JSON, TO_CSV,
    TO_HTML, TO_NO_PROGRESS, TO_CALLS, TO_LIM_MESSAGE, TO_LIM_STREAMS, TO_LIM_STREAM_BUF,
    TO_LIM_FRAGMENTS, TO_LIM_DATAGRAM, TO_LIM_IDLE, TO_CALL_TIMEOUT, TO_HELP, TO_COUNT
};

/* Configures ctx from the verification options, installs the x5u sources
 * (--x5u-map, --cert-dir, --fetch). *fetcher (tool_fetch_free) and `cd`
 * must outlive ctx. Returns a TOOL_EXIT_* code, one line printed on failure. */
int trace_setup_ctx(clid_ctx *ctx, const tool_args *a, trace_certdir *cd, void **fetcher);

#endif
