/*
 * The x5u fetcher of `clid verify` (clid_fetch.h: libcurl, URL policy,
 * cache), consulted for x5u URLs that --chain and --x5u-map do not cover,
 * and with --crl-fetch for the CRLs certificates name in their CRL
 * distribution points.
 */
#ifndef CLID_TOOL_FETCH_SETUP_H
#define CLID_TOOL_FETCH_SETUP_H

#include <clid/clid.h>

typedef struct tool_fetch_opts {
    int allow_http;        /* --allow-http-x5u */
    int allow_private;     /* --allow-private-x5u */
    const char *cache_dir; /* --cache-dir DIR, or NULL */
    const char *ca_file;   /* --x5u-ca FILE, or NULL: the system store */
    int crl_fetch;         /* --crl-fetch */
    const char *const *crl_allow; /* --crl-url-allow PREFIX...; none: "https://" */
    int n_crl_allow;
} tool_fetch_opts;

/*
 * Makes a fetcher with the options and installs it on ctx; *handle (free
 * with tool_fetch_free after the context) is set on success. Returns a
 * TOOL_EXIT_* code and prints one line on failure.
 */
int tool_fetch_setup(const char *cmd, clid_ctx *ctx, const tool_fetch_opts *o, void **handle);
void tool_fetch_free(void *handle);

#endif
