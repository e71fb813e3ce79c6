/*
 * The verifier's part of Rich Call Data (RFC 9795) and of claim
 * constraints (RFC 8226 §8, RFC 9118): verify/verify_rcd.c.
 */
#ifndef CLID_VERIFY_RCD_H
#define CLID_VERIFY_RCD_H

#include <stdint.h>

#include <jansson.h>

#include <clid/clid.h>
#include <clid/clid_ext.h>

#include "passport/passport.h"
#include "x509/signer_cert.h"

/*
 * The claims obey the constraints `cc` (NULL: none): every mustInclude
 * claim present, every mustExclude claim absent, every claim with
 * permittedValues equal to one of them (a string claim as a string,
 * another value as JSON; for "rcd" a permitted value is an object and the
 * PASSporT's rcd may carry a subset of its members, each equal: a signer
 * may leave out a vetted member, never add or change one). A violation is
 * CLID_ERR_CLAIM_CONSTRAINT_VIOLATED with the result detail naming it
 * ("mustInclude rcd", "mustExclude crn", "permittedValues rcd.nam").
 */
clid_err clid__check_claim_constraints(clid_result *r, const clid_jwtcc *cc,
                                       const json_t *claims);

/*
 * Rich Call Data of a PASSporT whose signature and signer's authority
 * verified (content is retrieved only then): sets CLID_RCD_* flags and the
 * verified values of `r`. For each URL the rcd claim names (jcl, icn, and
 * "uri" properties of an inline jCard), at most CLID_RCD_MAX_FETCHES:
 *   - no rcdi digest: warning CLID_ERR_RCD_DIGEST_MISSING, not presented;
 *   - the content from the offline map, else the ctx RCD fetcher; neither,
 *     or a failed retrieval: warning CLID_ERR_RCD_CONTENT_UNAVAILABLE (the
 *     detail names the pointer and the fetch error), not presented;
 *   - more than the cap of its kind (CLID_RCD_JCARD_MAX_LEN for jcl,
 *     CLID_RCD_ICON_MAX_LEN otherwise): CLID_ERR_RCD_CONTENT_INVALID;
 *   - a digest that differs: CLID_ERR_RCD_DIGEST_MISMATCH;
 *   - a jcl body that is not a jCard without URIs: CLID_ERR_RCD_CONTENT_INVALID.
 * The errors fail the verification (detail: the pointer); warnings do not.
 */
clid_err clid__verify_rcd(const clid_ctx *ctx, clid_result *r, const clid__passport *p,
                          const clid__signer_cert *c);

#endif
