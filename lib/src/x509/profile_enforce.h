/*
 * The verifier's certificate-profile policy (clid_ctx_set_cert_profile):
 * the signer's chain below the trust anchor must conform to the profile.
 * The verdict is computed once per chain and context generation and kept
 * with the chain (signer_cert.h, profile_memo), so a warm verification of
 * a conforming chain costs nothing (the validation memo answers first) and
 * a non-conforming one is refused without validating it again.
 */
#ifndef CLID_X509_PROFILE_ENFORCE_H
#define CLID_X509_PROFILE_ENFORCE_H

#include <stddef.h>

#include <openssl/x509.h>

#include <clid/clid_errors.h>

#include "x509/signer_cert.h"
#include "x509/trust.h"

/*
 * Lints the validated chain (leaf first, trust anchor last; the anchor is
 * only the issuer of the certificate above it, never linted) against
 * trust->cert_profile, with the leaf taken as the signing end entity.
 * CLID_OK when it conforms (or no profile is set), CLID_ERR_CERT_PROFILE
 * with the first error in `detail` ("rule (clause): certificate N:
 * message [subject]"), or CLID_ERR_NOMEM.
 */
clid_err clid__profile_enforce(const clid__trust *trust, clid__signer_cert *c,
                               STACK_OF(X509) *chain, char *detail, size_t cap);

/* The verdict kept for this chain under trust's generation: 1 with *rc and
 * `detail` set when there is one (0 also when no profile is set). */
int clid__profile_memo_get(const clid__trust *trust, clid__signer_cert *c, clid_err *rc,
                           char *detail, size_t cap);

void clid__profile_memo_free(struct clid__profile_memo *m);

#endif
