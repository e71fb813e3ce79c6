/*
 * clid oob (docs/cli.md "clid oob"): the CPS client of out-of-band SHAKEN
 * on the command line. cmd_oob.c dispatches and holds what both
 * subcommands share (the option table, the token signer, the CPS client);
 * publish.c and retrieve.c are the subcommands.
 */
#ifndef CLID_TOOL_OOB_H
#define CLID_TOOL_OOB_H

#include <clid/clid.h>
#include <clid/clid_fetch.h>
#include <clid/clid_oob.h>

#include "util.h"

enum {
    /* both */
    OOB_CPS, OOB_AUD, OOB_KEY, OOB_CERT, OOB_X5U, OOB_ORIG, OOB_DEST, OOB_TIMEOUT,
    OOB_CPS_HTTP, OOB_CPS_PRIVATE, OOB_CPS_CA, OOB_HELP,
    /* publish */
    OOB_SPC, OOB_RETENTION, OOB_IDENTITY, OOB_SIP,
    /* retrieve: verification (verify_setup.h, fetch_setup.h) */
    OOB_TRUST, OOB_CRL, OOB_MAP, OOB_AT, OOB_MAX_AGE, OOB_TN_POLICY, OOB_PPT, OOB_REQ_ENTITY,
    OOB_STRICT, OOB_CERT_PROFILE, OOB_CRL_SIGNER, OOB_CRL_POLICY, OOB_X5U_HTTP, OOB_X5U_PRIVATE,
    OOB_CACHE_DIR, OOB_X5U_CA, OOB_CRL_FETCH, OOB_CRL_ALLOW,
    OOB__COUNT
};

extern const tool_opt oob_opts[OOB__COUNT];

/* What both subcommands set up from the shared options. */
typedef struct oob_setup {
    clid_signer *signer;
    clid_fetcher *policy;
    clid_oob_client *client;
} oob_setup;

/* The token signer (--key, --cert, --x5u) and the CPS client (--cps,
 * --aud, --timeout, --cps-allow-http, --cps-allow-private, --cps-ca).
 * A TOOL_EXIT_* code; one line printed on error. */
int oob_setup_new(const char *sub, const tool_args *a, oob_setup *s);
void oob_setup_free(oob_setup *s);

/* A usage error when an option of `first..last` (indexes) is given. */
int oob_refuse_range(const char *sub, const tool_args *a, int first, int last, const char *why);

int oob_publish(const tool_args *a);
int oob_retrieve(const tool_args *a);

#endif
