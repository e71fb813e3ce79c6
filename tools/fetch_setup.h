/*
 * The x5u fetcher of `clid verify` (clid_fetch.h: libcurl, URL policy,
 * cache). Built only with -DCLID_HAVE_FETCHER=ON (docs/cli.md); without it
 * the options are refused and certificates come only from --x5u-map and
 * --chain, as before issue 5.
 */
#ifndef CLID_TOOL_FETCH_SETUP_H
#define CLID_TOOL_FETCH_SETUP_H

#include <clid/clid.h>

typedef struct tool_fetch_opts {
    int allow_http;        /* --allow-http-x5u */
    int allow_private;     /* --allow-private-x5u */
    const char *cache_dir; /* --cache-dir DIR, or NULL */
    const char *ca_file;   /* --x5u-ca FILE, or NULL: the system store */
} tool_fetch_opts;

/* Whether this build has the fetcher. */
int tool_fetch_available(void);

/*
 * Makes a fetcher with the options and installs it on ctx; *handle (free
 * with tool_fetch_free after the context) is NULL when there is none.
 * Without CLID_HAVE_FETCHER, any option given is a usage error. Returns a
 * TOOL_EXIT_* code and prints one line on failure.
 */
int tool_fetch_setup(const char *cmd, clid_ctx *ctx, const tool_fetch_opts *o, void **handle);
void tool_fetch_free(void *handle);

#endif
