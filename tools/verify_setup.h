/*
 * The verification context options `clid verify` and `clid trace` share
 * (docs/cli.md "clid verify", docs/trace.md "Verification"): trust anchors,
 * CRLs, CRL signers, the offline x5u map, and the policy flags. One parser,
 * so the two commands cannot come to read an option differently.
 */
#ifndef CLID_TOOL_VERIFY_SETUP_H
#define CLID_TOOL_VERIFY_SETUP_H

#include <clid/clid.h>

typedef struct tool_verify_setup {
    const char *cmd;        /* "verify", "trace": usage messages name it */
    const char *err_prefix; /* prefix of input-error lines ("" or "trace: ") */
    const char *const *trust; /* --trust FILE|DIR... */
    int n_trust;
    const char *const *crl; /* --crl FILE... */
    int n_crl;
    const char *const *crl_signer; /* --crl-signer FILE... */
    int n_crl_signer;
    const char *const *x5u_map; /* --x5u-map URL=FILE... */
    int n_x5u_map;
    const char *const *ppt; /* --accept-ppt PPT... */
    int n_ppt;
    const char *max_age;      /* --max-age SECONDS, or NULL */
    const char *tn_policy;    /* --tn-policy spc|tn, or NULL */
    const char *cert_profile; /* --cert-profile shaken|q3063, or NULL */
    const char *crl_policy;   /* --crl-policy if-present|required|ignore, or NULL */
    int require_entity;       /* --require-entity */
    int strict;               /* --strict */
} tool_verify_setup;

/* The policy flags into ctx. A TOOL_EXIT_* code; one line printed on error. */
int tool_verify_policy(clid_ctx *ctx, const tool_verify_setup *s);
/* Trust anchors, CRLs, CRL signers and the offline map into ctx.
 * TOOL_EXIT_NOINPUT for a file that cannot be read. */
int tool_verify_load(clid_ctx *ctx, const tool_verify_setup *s);
/*
 * A verifier for a command that checks before it acts (`clid sign --div
 * --trust`: the request's original, RFC 8946 §4): trust anchors and the
 * offline map of s, its policy flags, and the x5u fetcher of fo
 * (fetch_setup.h) for URLs the map lacks. A TOOL_EXIT_* code, one line
 * printed on error; tool_verifier_close releases what was made, on either
 * outcome.
 */
typedef struct tool_verifier {
    clid_ctx *ctx;
    clid_verifier *v;
    void *fetch; /* tool_fetch_setup's handle */
} tool_verifier;
struct tool_fetch_opts;
int tool_verifier_open(const tool_verify_setup *s, const struct tool_fetch_opts *fo,
                       tool_verifier *out);
void tool_verifier_close(tool_verifier *t);

/* 1 when path names a directory that can be opened. */
int tool_is_dir(const char *path);
/* Prints "<prefix><path>: <what>: <NAME>: <text>"; TOOL_EXIT_NOINPUT. */
int tool_input_error(const char *prefix, const char *what, const char *path, clid_err e);

#endif
