/* The clid_result structure, filled by verify.c as the pipeline advances. */
#ifndef CLID_RESULT_INTERNAL_H
#define CLID_RESULT_INTERNAL_H

#include <clid/clid.h>

#include "passport/passport.h"
#include "x509/signer_cert.h"

struct clid_result {
    clid_err reason;
    char detail[256];
    /* claims */
    int have_claims;
    char ppt[CLID_PPT_BUF];
    char orig[CLID_TN_BUF];
    char dest[CLID_PASSPORT_MAX_DEST][CLID_TN_BUF];
    size_t dest_count;
    char attest;
    char origid[CLID_ORIGID_BUF];
    char div[CLID_TN_BUF];
    int64_t iat;
    char *x5u;
    /* the signer's certificate (a reference; facts are read from it) */
    clid__signer_cert *signer;
    const char *spc;
    int revocation_checked;       /* clid_result_revocation_checked */
    /* profile deviations accepted (clid_result_warning) */
    clid_err warnings[CLID_RESULT_MAX_WARNINGS];
    size_t n_warnings;
    /* CLID_BINDING_* checked and held */
    unsigned bound;
    /* diverted calls (verify_chain.c): the div links in chain order */
    struct clid__div_link {
        char from[CLID_TN_BUF];   /* its "div" */
        char to[CLID_TN_BUF];     /* its first dest */
        int64_t iat;
        clid__signer_cert *signer; /* a reference once verified (its SPC), else NULL */
    } div_links[CLID_VERIFY_MAX_IDENTITIES];
    size_t div_count;
    int div_failed1;              /* the failed link + 1; 0: none */
    char *div_opt;                /* a div-o PASSporT's "opt" (malloc'd), or NULL */
    /* Rich Call Data (verify/verify_rcd.c): CLID_RCD_* flags and the
     * verified values (owned; NULL when not verified). The getters hand
     * them out only when the verification passed. */
    unsigned rcd_flags;
    char *rcd_nam;
    char *rcd_apn;
    char *rcd_crn;
    char *rcd_jcard;
    char *rcd_jcl;
    char *rcd_icn;
    char *rcd_digest_jcl;
    char *rcd_digest_icn;
};

/* Frees the Rich Call Data values of `r` (clid_result_reset). */
void clid__result_rcd_clear(clid_result *r);

/* Moves the diverted-call chain of `from` (the links with their signer
 * references, the failed link, a div-o's opt) into `to`, replacing `to`'s:
 * used when another PASSporT of the same request takes over the verdict
 * (sip_rcd.c). */
void clid__result_move_div_chain(clid_result *to, clid_result *from);

/* Copies the parsed claims of `p` into `r`. */
clid_err clid__result_set_claims(clid_result *r, const clid__passport *p);
/* Takes a reference to `c`. */
void clid__result_set_signer(clid_result *r, clid__signer_cert *c);
void clid__result_set_detail(clid_result *r, const char *detail);

/*
 * A profile deviation `code` was found (docs/verification.md, "Strict and
 * lenient"). Under the strict policy it is the verification's failure:
 * returns `code`. Otherwise it is recorded once as a warning and CLID_OK is
 * returned, so a caller writes CLID_TRY(clid__result_deviation(...)).
 */
clid_err clid__result_deviation(clid_result *r, int strict, clid_err code);

/* Records `code` once as a warning whatever the policy: a fact reported
 * with a verdict, never a failure (CLID_ERR_ISUP_PRESENTATION_RESTRICTED). */
void clid__result_warn(clid_result *r, clid_err code);

#endif
