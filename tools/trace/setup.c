/*
 * The verification context of clid trace: trust anchors, CRLs and policy
 * flags as `clid verify` takes them (docs/cli.md), and the x5u sources.
 * Offline by default: a capture names x5u URLs chosen by whoever sent the
 * calls, so nothing is fetched without --fetch (then under the fetcher's
 * URL policy: https only, no private addresses unless allowed).
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_fetch.h>

#include "fetch_setup.h"
#include "verify_setup.h"
#include "trace/cli.h"

/* Trust, CRLs, the offline map and the policy flags as clid verify reads
 * them (verify_setup.h). */
static int load_verify_options(clid_ctx *ctx, const tool_args *a)
{
    tool_verify_setup s = {
        .cmd = "trace",
        .err_prefix = "trace: ",
        .trust = a->values[TO_TRUST],
        .n_trust = a->seen[TO_TRUST],
        .crl = a->values[TO_CRL],
        .n_crl = a->seen[TO_CRL],
        .crl_signer = a->values[TO_CRL_SIGNER],
        .n_crl_signer = a->seen[TO_CRL_SIGNER],
        .x5u_map = a->values[TO_MAP],
        .n_x5u_map = a->seen[TO_MAP],
        .ppt = a->values[TO_PPT],
        .n_ppt = a->seen[TO_PPT],
        .max_age = a->seen[TO_MAX_AGE] ? a->value[TO_MAX_AGE] : NULL,
        .tn_policy = a->seen[TO_TN_POLICY] ? a->value[TO_TN_POLICY] : NULL,
        .cert_profile = a->seen[TO_CERT_PROFILE] ? a->value[TO_CERT_PROFILE] : NULL,
        .crl_policy = a->seen[TO_CRL_POLICY] ? a->value[TO_CRL_POLICY] : NULL,
        .require_entity = a->seen[TO_REQ_ENTITY],
        .strict = a->seen[TO_STRICT],
    };
    int rc = tool_verify_policy(ctx, &s);
    return rc == TOOL_EXIT_OK ? tool_verify_load(ctx, &s) : rc;
}

int trace_setup_ctx(clid_ctx *ctx, const tool_args *a, trace_certdir *cd, void **fetcher)
{
    *fetcher = NULL;
    int rc = load_verify_options(ctx, a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    int net_opts = a->seen[TO_ALLOW_HTTP] || a->seen[TO_ALLOW_PRIVATE] || a->seen[TO_X5U_CA] ||
                   a->seen[TO_CACHE_DIR];
    if (net_opts && !a->seen[TO_FETCH])
        return tool_usage_error("trace", "trace",
                                "--allow-http-x5u, --allow-private-x5u, --x5u-ca and "
                                "--cache-dir are for --fetch");
    memset(cd, 0, sizeof *cd);
    if (a->seen[TO_FETCH]) {
        tool_fetch_opts fo = {a->seen[TO_ALLOW_HTTP], a->seen[TO_ALLOW_PRIVATE],
                              a->value[TO_CACHE_DIR], a->value[TO_X5U_CA], 0, NULL, 0};
        if ((rc = tool_fetch_setup("trace", ctx, &fo, fetcher)) != TOOL_EXIT_OK)
            return rc;
        cd->next = clid_fetcher_fetch;
        cd->next_arg = *fetcher;
    }
    if (a->seen[TO_CERT_DIR]) {
        if (!tool_is_dir(a->value[TO_CERT_DIR]))
            return tool_input_error("trace: ", "--cert-dir", a->value[TO_CERT_DIR], CLID_ERR_IO);
        cd->dir = a->value[TO_CERT_DIR];
        if (clid_ctx_set_fetcher(ctx, trace_certdir_fetch, cd) != CLID_OK)
            return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}
