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
#include "trace/cli.h"

static int input_error(const char *what, const char *path, clid_err e)
{
    tool_error("trace: %s: %s: %s: %s", path, what, clid_err_name(e), clid_err_str(e));
    return TOOL_EXIT_NOINPUT;
}

static int is_dir(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    char c;
    size_t n = fread(&c, 1, 1, f); /* reading a directory fails with EISDIR */
    int dir = n == 0 && ferror(f);
    fclose(f);
    return dir;
}

static int load_files(clid_ctx *ctx, const tool_args *a)
{
    clid_err e;
    for (int i = 0; i < a->seen[TO_TRUST]; i++) {
        const char *p = a->values[TO_TRUST][i];
        e = is_dir(p) ? clid_ctx_add_trust_dir(ctx, p) : clid_ctx_add_trust_file(ctx, p);
        if (e != CLID_OK)
            return input_error("trust anchors", p, e);
    }
    for (int i = 0; i < a->seen[TO_CRL]; i++)
        if ((e = clid_ctx_add_crl_file(ctx, a->values[TO_CRL][i])) != CLID_OK)
            return input_error("CRL", a->values[TO_CRL][i], e);
    for (int i = 0; i < a->seen[TO_CRL_SIGNER]; i++)
        if ((e = clid_ctx_add_crl_signer_file(ctx, a->values[TO_CRL_SIGNER][i])) != CLID_OK)
            return input_error("CRL signer", a->values[TO_CRL_SIGNER][i], e);
    for (int i = 0; i < a->seen[TO_MAP]; i++) {
        const char *m = a->values[TO_MAP][i];
        const char *eq = strrchr(m, '='); /* URLs may hold '=', file names rarely do */
        if (eq == NULL || eq == m || eq[1] == '\0')
            return tool_usage_error("trace", "trace", "--x5u-map wants URL=FILE, got '%s'", m);
        char *url = strndup(m, (size_t)(eq - m));
        if (url == NULL)
            return TOOL_EXIT_FAIL;
        e = clid_ctx_add_x5u_file(ctx, url, eq + 1);
        free(url);
        if (e == CLID_ERR_IO)
            return input_error("x5u map", eq + 1, e);
        if (e != CLID_OK)
            return tool_usage_error("trace", "trace", "--x5u-map '%s': %s", m, clid_err_str(e));
    }
    return TOOL_EXIT_OK;
}

static int policy(clid_ctx *ctx, const tool_args *a)
{
    clid_err e = CLID_OK;
    if (a->seen[TO_MAX_AGE]) {
        char *end = NULL;
        unsigned long v = strtoul(a->value[TO_MAX_AGE], &end, 10);
        if (*end != '\0' || a->value[TO_MAX_AGE][0] == '-' || v > 86400UL * 366)
            return tool_usage_error("trace", "trace", "--max-age: not a number of seconds");
        e = clid_ctx_set_freshness(ctx, (unsigned)v, CLID_DEFAULT_MAX_SKEW);
    }
    if (e == CLID_OK && a->seen[TO_TN_POLICY]) {
        const char *p = a->value[TO_TN_POLICY];
        if (strcmp(p, "spc") == 0)
            e = clid_ctx_set_tn_policy(ctx, CLID_TN_POLICY_SPC_OR_TN);
        else if (strcmp(p, "tn") == 0)
            e = clid_ctx_set_tn_policy(ctx, CLID_TN_POLICY_TN_REQUIRED);
        else
            return tool_usage_error("trace", "trace", "--tn-policy must be spc or tn");
    }
    for (int i = 0; e == CLID_OK && i < a->seen[TO_PPT]; i++)
        if ((e = clid_ctx_accept_ppt(ctx, a->values[TO_PPT][i])) != CLID_OK)
            return tool_usage_error("trace", "trace", "--accept-ppt '%s': %s",
                                    a->values[TO_PPT][i], clid_err_str(e));
    if (e == CLID_OK && a->seen[TO_REQ_ENTITY])
        e = clid_ctx_set_require_entity(ctx, 1);
    if (e == CLID_OK && a->seen[TO_CERT_PROFILE]) {
        clid_cert_profile p = CLID_CERT_PROFILE_NONE;
        if (clid_cert_profile_from_name(a->value[TO_CERT_PROFILE], &p) != CLID_OK ||
            p == CLID_CERT_PROFILE_NONE)
            return tool_usage_error("trace", "trace", "--cert-profile must be shaken or q3063");
        e = clid_ctx_set_cert_profile(ctx, p);
    }
    if (e == CLID_OK && a->seen[TO_CRL_POLICY]) {
        const char *p = a->value[TO_CRL_POLICY];
        if (strcmp(p, "if-present") == 0)
            e = clid_ctx_set_crl_policy(ctx, CLID_CRL_IF_PRESENT);
        else if (strcmp(p, "required") == 0)
            e = clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED);
        else if (strcmp(p, "ignore") == 0)
            e = clid_ctx_set_crl_policy(ctx, CLID_CRL_IGNORE);
        else
            return tool_usage_error("trace", "trace",
                                    "--crl-policy must be if-present, required or ignore");
    }
    if (e == CLID_OK && a->seen[TO_STRICT])
        e = clid_ctx_set_strict(ctx, 1);
    if (e != CLID_OK) {
        tool_error("trace: %s", clid_err_str(e));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

int trace_setup_ctx(clid_ctx *ctx, const tool_args *a, trace_certdir *cd, void **fetcher)
{
    *fetcher = NULL;
    int rc = policy(ctx, a);
    if (rc == TOOL_EXIT_OK)
        rc = load_files(ctx, a);
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
        if (!is_dir(a->value[TO_CERT_DIR]))
            return input_error("--cert-dir", a->value[TO_CERT_DIR], CLID_ERR_IO);
        cd->dir = a->value[TO_CERT_DIR];
        if (clid_ctx_set_fetcher(ctx, trace_certdir_fetch, cd) != CLID_OK)
            return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}
