/*
 * The part of the verification pipeline that is about the signer and not
 * about what was signed: "get the chain named by x5u (given, offline map,
 * cache, fetch), validate it at `now` (trust anchors, CRLs, delegation;
 * profile deviations as warnings or, strict, the failure), let the caller
 * check the certificate's authority, then check the ES256 signature".
 * PASSporTs (verify.c run_pipeline) and the CPS bearer tokens of
 * out-of-band SHAKEN (oob/oob_check.c, OOB-SPEC "Token certificate") go
 * through this one function, so a token is trusted exactly when a
 * PASSporT from the same certificate would be.
 */
#ifndef CLID_VERIFY_INTERNAL_H
#define CLID_VERIFY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>

#include "x509/signer_cert.h"

/* Checks what the certificate authorizes (called after the chain validated,
 * before the signature check, so a forged request never costs a signature
 * verification it could not pass anyway). */
typedef clid_err (*clid__authorize_fn)(void *arg, const clid_ctx *ctx, clid_result *r,
                                       const clid__signer_cert *c);

typedef struct clid__signed_check {
    /* in */
    const char *chain_pem;          /* a chain given by the caller, or NULL: x5u */
    size_t chain_len;
    const char *x5u;                /* the URL naming the chain (map, cache, fetcher) */
    int64_t now;                    /* validation time */
    const uint8_t *signing_input;   /* "<b64 header>.<b64 claims>" */
    size_t signing_input_len;
    const uint8_t *sig;             /* raw r||s */
    size_t sig_len;
    clid__authorize_fn authorize;   /* NULL: no authority check */
    void *authorize_arg;
    /* out */
    clid__signer_cert *signer;      /* a reference once the chain was had: release it */
    clid_err soft;                  /* a CRL could not be had and the policy let it pass */
    char detail[256];               /* the validation's text (failure, or soft revocation) */
} clid__signed_check;

/*
 * Runs the steps above; `r` gets the signer (clid__result_set_signer),
 * revocation_checked, the deviations as warnings and, on a validation
 * failure, the detail. On CLID_OK with `soft` set the caller decides when
 * to put `detail` in the result (after its own remaining checks).
 */
clid_err clid__verify_signed(clid_verifier *v, clid_result *r, clid__signed_check *sc);

/*
 * clid_verify_identity, or with `as_link` the verification of one div
 * PASSporT of a chain (verify_chain.c): every step the same, only a
 * passing div is CLID_OK instead of CLID_ERR_DIV_WITHOUT_ORIGINAL.
 */
clid_err clid__verify_one(clid_verifier *v, const clid_verify_input *in, int as_link,
                          clid_result *res);

/*
 * clid_verify_identities with the chain's end bound to `target` instead of
 * in->dest (clid_sip_verify: in->dest is the callee, To else Request-URI,
 * for PASSporTs without div; `target` the Request-URI, where a retargeting
 * proxy puts the new target: RFC 8946 §6). NULL: in->dest.
 */
clid_err clid__verify_chain(clid_verifier *v, const clid_verify_input *in, const char *target,
                            const char *const *ids, size_t n, clid_result *res);

/* The context a verifier was made with. */
const clid_ctx *clid__verifier_ctx(const clid_verifier *v);

#endif
