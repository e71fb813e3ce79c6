/* The x5u fetcher for `clid verify` (fetch_setup.h). */
#include "fetch_setup.h"

#include <stddef.h>

#include "util.h"

#include <clid/clid_fetch.h>

static int fetch_error(const char *cmd, const char *what, clid_err e)
{
    if (e == CLID_ERR_INVALID_ARGUMENT)
        return tool_usage_error(cmd, cmd, "%s: %s", what, clid_err_str(e));
    tool_error("%s: %s: %s: %s", cmd, what, clid_err_name(e), clid_err_str(e));
    return e == CLID_ERR_IO ? TOOL_EXIT_NOINPUT : TOOL_EXIT_FAIL;
}

int tool_fetch_setup(const char *cmd, clid_ctx *ctx, const tool_fetch_opts *o, void **handle)
{
    *handle = NULL;
    clid_fetcher *f = NULL;
    clid_err e = clid_fetcher_new(&f);
    if (e != CLID_OK)
        return fetch_error(cmd, "x5u fetcher", e);
    int rc = TOOL_EXIT_OK;
    if ((e = clid_fetcher_allow_http(f, o->allow_http)) != CLID_OK)
        rc = fetch_error(cmd, "--allow-http-x5u", e);
    else if ((e = clid_fetcher_allow_private(f, o->allow_private)) != CLID_OK)
        rc = fetch_error(cmd, "--allow-private-x5u", e);
    else if (o->cache_dir != NULL && (e = clid_fetcher_set_cache_dir(f, o->cache_dir)) != CLID_OK)
        rc = fetch_error(cmd, o->cache_dir, e);
    else if (o->ca_file != NULL && (e = clid_fetcher_set_ca_file(f, o->ca_file)) != CLID_OK)
        rc = fetch_error(cmd, o->ca_file, e);
    else if ((e = clid_ctx_set_fetcher(ctx, clid_fetcher_fetch, f)) != CLID_OK)
        rc = fetch_error(cmd, "x5u fetcher", e);
    /* Rich Call Data content (jcl, icn) under the same policy and cache
     * (clid_fetcher_fetch_rcd; URLs --rcd-content maps are served first). */
    else if ((e = clid_ctx_set_rcd_fetcher(ctx, clid_fetcher_fetch_rcd, f)) != CLID_OK)
        rc = fetch_error(cmd, "RCD fetcher", e);
    else if (o->crl_fetch && (e = clid_ctx_set_crl_fetcher(ctx, clid_fetcher_fetch_crl, f)) !=
                                 CLID_OK)
        rc = fetch_error(cmd, "--crl-fetch", e);
    /* Without --crl-url-allow, any https URL a validated certificate names
     * (the fetcher's address policy still applies). */
    for (int i = 0; rc == TOOL_EXIT_OK && o->crl_fetch && i < (o->n_crl_allow ? o->n_crl_allow : 1);
         i++) {
        const char *p = o->n_crl_allow ? o->crl_allow[i] : "https://";
        if ((e = clid_ctx_add_crl_url_prefix(ctx, p)) != CLID_OK)
            rc = fetch_error(cmd, "--crl-url-allow", e);
    }
    if (rc != TOOL_EXIT_OK) {
        clid_fetcher_free(f);
        return rc;
    }
    *handle = f;
    return TOOL_EXIT_OK;
}

void tool_fetch_free(void *handle)
{
    clid_fetcher_free(handle);
}
